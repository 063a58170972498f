"""The figures of docs/cold-start.md: each handler's import against ``import boto3``, the parts, the sizes.

Run: ``.venv/bin/python bench/cold_start.py [--runs 9]`` (builds the layers
into ``.local/cold-start/`` if the tests have not). ``--tree DIR`` measures
another tree on the Lambda-like path instead: ``DIR/functions/<name>/app.py``
and ``DIR/layers/<LayerLogicalId>/python`` (for instance an older commit's
``sam build`` output), without ``__pycache__`` unless ``--pycache``, since
``/opt`` is read-only on Lambda.

The import budget and the size budget themselves are held by
``tests/template/test_import_budget.py`` and ``test_package_size.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.cold_start import (  # noqa: E402
    ARM64,
    CACHE,
    MIB,
    built_layer,
    first_invocation,
    function_bytes,
    functions,
    import_figures,
    lambda_environment,
    lambda_path,
    layer_sources,
    run_python,
    runtime_directory,
    site_directories,
    source_path,
    tree_bytes,
)

PART = """
import json, time
{before}
started = time.perf_counter()
{measured}
print(json.dumps({{"seconds": time.perf_counter() - started}}))
"""


def part_figures(runtime: Path, runs: int) -> None:
    """What the parts kept off start-up cost, on the functions' Lambda-like paths (medians)."""
    function = functions()["PublishFunction"]
    env = lambda_environment(function, lambda_path(function, runtime))
    redirects = functions()["RedirectsFunction"]
    with_crt = lambda_environment(redirects, lambda_path(redirects, runtime))  # awscrt on sys.path
    parts = {
        "import boto3, without awscrt (the publish function)": (env, "", "import boto3"),
        "import boto3, awscrt beside it (the redirects function)": (with_crt, "", "import boto3"),
        "the core: wiring and use cases, after boto3": (
            env,
            "import boto3",
            "import newsroom.wiring.assembly, newsroom.usecases.batch",
        ),
        "the publisher's clients, after the core": (
            env,
            "import boto3, newsroom.wiring.assembly as a, newsroom.configuration.settings as s",
            "a.build_publisher(s.Settings.from_environment())",
        ),
        "Tracer() after boto3 (X-Ray SDK, patch_all)": (
            env,
            "import boto3\nfrom aws_lambda_powertools import Tracer",
            "Tracer()",
        ),
        "the KeyValueStore client (its model), after boto3 and awscrt": (
            with_crt,
            "import boto3",
            "boto3.client('cloudfront-keyvaluestore')",
        ),
        "a Jinja environment and the article template": (
            env,
            "from newsroom.web.templating import build_environment",
            "build_environment('vi').get_template('article.html')",
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in parts}
    for _ in range(runs + 1):  # the first round warms the page cache, and is dropped
        for name, (part_env, before, measured) in parts.items():
            code = PART.format(before=before, measured=measured)
            samples[name].append(run_python(code, part_env, isolated=True)["seconds"])
    for name, values in samples.items():
        print(f"  {name:48} {statistics.median(values[1:]) * 1000:6.1f} ms")


def lambda_figures(runtime: Path, runs: int, tree: Path | None, pycache: bool) -> None:
    """Each handler on the Lambda-like path: import against boto3, and import plus its first build."""
    for logical, function in sorted(functions().items()):
        if tree is None:
            env = lambda_environment(function, lambda_path(function, runtime))
        else:
            code = tree / "functions" / function.code.name
            layers = [tree / "layers" / layer / "python" for layer in function.layers]
            env = lambda_environment(function, [code, *layers, runtime])
            if not pycache:
                env["PYTHONDONTWRITEBYTECODE"] = "1"  # /opt is read-only on Lambda
        figures = import_figures(env, runs=runs, isolated=True)
        if tree is None:
            first_invocation(env, logical)  # warm-up
            ready = statistics.median(first_invocation(env, logical)["seconds"] for _ in range(runs))
            first = f"  import + first build {ready * 1000:6.1f} ms ({ready / figures.boto3:.2f}x)"
        else:
            first = ""
        print(
            f"  {logical:17} app {figures.handler * 1000:6.1f} ms  boto3 {figures.boto3 * 1000:6.1f} ms"
            f"  {figures.ratio:4.2f}x{first}  loaded at start: {', '.join(figures.loaded) or '-'}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, help="measure another tree on the Lambda-like path")
    parser.add_argument("--pycache", action="store_true", help="with --tree: let Python write __pycache__")
    args = parser.parse_args(argv)
    runtime = runtime_directory(CACHE / "runtime")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {args.runs}, alternating")
    if args.tree is None:
        print("\nimport on the development tree (this venv), as test_import_budget.py measures it:")
        for logical, function in sorted(functions().items()):
            env = lambda_environment(function, source_path(function))
            figures = import_figures(env, runs=args.runs)
            print(
                f"  {logical:17} app {figures.handler * 1000:6.1f} ms  boto3 {figures.boto3 * 1000:6.1f} ms"
                f"  {figures.ratio:4.2f}x  loaded at start: {', '.join(figures.loaded) or '-'}"
            )
    print("\non a Lambda-like path (python -S, the runtime's boto3, built layers):")
    lambda_figures(runtime, args.runs, args.tree, args.pycache)
    if args.tree is not None:
        return
    print("\nwhat the parts cost (publish function, Lambda-like path):")
    part_figures(runtime, args.runs)
    print("\nsizes (arm64, unzipped, MB = 2^20 bytes):")
    for logical in sorted(layer_sources()):
        layer = built_layer(logical, ARM64)
        parts = ", ".join(f"{d.name}/ {tree_bytes(d) / MIB:.1f}" for d in site_directories(layer))
        print(f"  {logical:17} {tree_bytes(layer) / MIB:5.1f} MB ({parts})")
    for logical, function in sorted(functions().items()):
        print(f"  {logical:17} {function_bytes(function) / MIB:5.1f} MB with {', '.join(function.layers)}")


if __name__ == "__main__":
    main()
