"""Cold start, the size budget (issue 13): what each function ships, its layers built by their Makefiles.

Each layer is built the way ``sam build`` builds it (``BuildMethod:
makefile``, arm64 wheels from PyPI; cached under ``.local/cold-start/``,
``tests/support/cold_start.py``). Held here, as failing tests:

- each function's code plus its layers, unzipped, without boto3/botocore
  (Lambda's runtime has them): under ``SIZE_TARGET_MB`` where reached, else
  under its ``SIZE_BUDGET_MB`` (a regression guard; docs/cold-start.md says
  what stands between the media functions and the target);
- no second botocore (aws-xray-sdk requires one), nor boto3 or s3transfer;
- every module with an unchecked-hash ``.pyc`` (Lambda cannot write
  ``__pycache__`` in ``/opt``);
- nothing missing from the pinned requirements (the Makefiles install them
  with ``--no-deps``);
- Babel's locale data for ``vi``, ``en`` and their parent ``root`` only;
  awscrt in the redirects function's own layer, which only that function has,
  and that function has no core layer;
- a build for this machine's architecture, run on a Lambda-like path
  (``python -S``, the runtime's boto3), formats dates and numbers as the full
  Babel data does, and the redirects function built the same way writes the
  store with SigV4A.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import distributions
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from local.kvs import KvsServer
from local.template import Template
from tests.support.cold_start import (
    ARM64,
    MIB,
    NATIVE,
    ROOT,
    RUNTIME_DISTRIBUTIONS,
    built_layer,
    function_bytes,
    functions,
    lambda_environment,
    lambda_path,
    layer_sources,
    run_python,
    runtime_directory,
    site_directories,
)

SIZE_TARGET_MB = 15  # issue 13: each function with its layers, without boto3/botocore
# The functions that do not reach the target yet, and what they ship today with a little headroom:
# a regression guard (docs/cold-start.md says what stands between: Pillow, fontTools).
SIZE_BUDGET_MB = {
    "PicturesFunction": 44,
    "PdfFunction": 62,
}
BABEL_LOCALES = {"root", "en", "vi"}
NEVER_SHIPPED = ("boto3", "botocore", "s3transfer")


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return runtime_directory(tmp_path_factory.mktemp("runtime"))


def test_every_layer_is_built_by_its_makefile() -> None:
    template = Template.load(ROOT / "template.yaml")
    for logical, source in layer_sources().items():
        metadata = template.resources[logical].get("Metadata") or {}
        assert metadata.get("BuildMethod") == "makefile", f"{logical}: sam build must run its Makefile"
        assert metadata.get("BuildArchitecture") == "arm64"
        assert f"build-{logical}:" in (source / "Makefile").read_text(encoding="utf-8")


def test_budgets_name_only_functions_over_the_target() -> None:
    assert set(SIZE_BUDGET_MB) <= set(functions())
    assert all(budget > SIZE_TARGET_MB for budget in SIZE_BUDGET_MB.values())


@pytest.mark.parametrize("logical", sorted(functions()))
def test_function_with_its_layers_is_within_its_size_budget(logical: str) -> None:
    size = function_bytes(functions()[logical]) / MIB
    budget = SIZE_BUDGET_MB.get(logical, SIZE_TARGET_MB)
    assert size < budget, f"{logical} ships {size:.1f} MB, over {budget} MB"


@pytest.mark.parametrize("logical", sorted(SIZE_BUDGET_MB))
def test_a_function_over_the_target_is_still_over_it(logical: str) -> None:
    """Once one reaches the target, it leaves SIZE_BUDGET_MB, and the target holds it from then on."""
    size = function_bytes(functions()[logical]) / MIB
    assert size >= SIZE_TARGET_MB, f"{logical} ships {size:.1f} MB: take it out of SIZE_BUDGET_MB"


@pytest.mark.parametrize("logical", sorted(layer_sources()))
def test_layer_ships_compiled_modules_and_no_second_botocore(logical: str) -> None:
    layer = built_layer(logical, ARM64)
    for directory in site_directories(layer):
        shipped = {entry.name.split("-")[0].lower() for entry in directory.iterdir()}
        assert not shipped & set(NEVER_SHIPPED), f"{logical} ships {shipped & set(NEVER_SHIPPED)}"
    sources = [path for directory in site_directories(layer) for path in directory.rglob("*.py")]
    assert len(sources) > 20
    stale: list[str] = []
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{sys.implementation.cache_tag}.pyc"
        header = compiled.read_bytes()[:8] if compiled.is_file() else b""
        # PEP 552: flags 0b01 = hash-based, without 0b10 = never checked against the source.
        if header[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(header[4:8], "little") != 1:
            stale.append(str(source.relative_to(layer)))
    assert not stale, f"{len(stale)} modules without an unchecked-hash .pyc, e.g. {stale[:5]}"


@cache
def core_names() -> frozenset[str]:
    directories = [str(directory) for directory in site_directories(built_layer("CoreLayer", ARM64))]
    return frozenset(canonicalize_name(dist.metadata["Name"]) for dist in distributions(path=directories))


@pytest.mark.parametrize("logical", sorted(layer_sources()))
def test_layer_pins_every_dependency_it_needs(logical: str) -> None:
    """Installed with --no-deps: whatever a shipped package requires is shipped, or the runtime's."""
    environment = {
        **default_environment(),
        "platform_machine": "aarch64",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "extra": "",
    }
    available = {canonicalize_name(name) for name in RUNTIME_DISTRIBUTIONS}
    directories = [str(directory) for directory in site_directories(built_layer(logical, ARM64))]
    shipped = list(distributions(path=directories))
    assert shipped
    names = {canonicalize_name(dist.metadata["Name"]) for dist in shipped}
    scope = available | names if logical == "CoreLayer" else available | names | core_names()
    for dist in shipped:
        for line in dist.requires or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                assert canonicalize_name(requirement.name) in scope, (
                    f"{logical}: {dist.metadata['Name']} requires {line}, which is not pinned"
                )


def test_core_layer_keeps_the_site_locales_and_no_awscrt() -> None:
    from newsroom.configuration.site_config import SUPPORTED_LOCALES  # noqa: PLC0415

    layer = built_layer("CoreLayer", ARM64)
    kept = {path.stem for path in (layer / "python" / "babel" / "locale-data").glob("*.dat")}
    assert kept == BABEL_LOCALES
    assert set(SUPPORTED_LOCALES) <= kept
    assert not list(layer.rglob("*awscrt*")), "awscrt in the core layer: every function would carry it"


def test_awscrt_is_the_redirects_functions_alone_and_that_function_has_no_core() -> None:
    layer = built_layer("RedirectsLayer", ARM64)
    assert (layer / "python" / "awscrt" / "__init__.py").is_file()
    assert list((layer / "python").glob("_awscrt*.so"))
    assert (layer / "python" / "newsroom_redirects" / "store.py").is_file()
    assert functions()["RedirectsFunction"].layers == ("RedirectsLayer",)
    assert [f.logical for f in functions().values() if "RedirectsLayer" in f.layers] == ["RedirectsFunction"]
    assert [f.logical for f in functions().values() if f.environment.get("REDIRECT_STORE_ARN")] == [
        "RedirectsFunction"
    ]
    for logical in layer_sources():
        if logical != "RedirectsLayer":
            assert not list(built_layer(logical, ARM64).rglob("*awscrt*")), f"awscrt in {logical}"


def test_built_core_layer_formats_as_the_full_babel_data_does(runtime: Path) -> None:
    """Babel's pruned data (root, en, vi) formats dates and numbers exactly as the development tree's."""
    from newsroom.web import dates  # noqa: PLC0415
    from newsroom.web.templating import build_environment  # noqa: PLC0415

    when = datetime(2024, 4, 28, 9, 30, tzinfo=UTC)
    expected = {
        locale: [
            dates.format_article_date(when, locale, "Asia/Ho_Chi_Minh"),
            list(dates.weekday_names(locale)),
            list(dates.month_names(locale)),
            build_environment(locale).filters["number"](1234567),
        ]
        for locale in ("vi", "en")
    }
    probe = """
import json
from datetime import UTC, datetime
from newsroom.web import dates
from newsroom.web.templating import build_environment
when = datetime(2024, 4, 28, 9, 30, tzinfo=UTC)
formatted = {
    locale: [
        dates.format_article_date(when, locale, "Asia/Ho_Chi_Minh"),
        list(dates.weekday_names(locale)),
        list(dates.month_names(locale)),
        build_environment(locale).filters["number"](1234567),
    ]
    for locale in ("vi", "en")
}
print(json.dumps({"formatted": formatted}))
"""
    function = functions()["PublishFunction"]
    answer = run_python(probe, lambda_environment(function, lambda_path(function, runtime)), isolated=True)
    assert answer["formatted"] == expected


def test_built_redirects_function_writes_the_store_with_sigv4a(runtime: Path) -> None:
    """Its layer as the Makefile builds it, the runtime's boto3 only: the sample batch lands in the store."""
    server = KvsServer().start()
    try:
        arn = f"arn:aws:cloudfront::123456789012:key-value-store/{uuid.uuid4()}"
        server.state.create_store(arn)
        event = (ROOT / "events" / "sqs-redirect-changes.json").read_text(encoding="utf-8")
        probe = f"""
import json, sys
import app
started = sorted(m for m in ("boto3", "awscrt", "newsroom") if m in sys.modules)
signed = []
app.store()._kvs.meta.events.register(
    "before-send", lambda request, **_: signed.append(request.headers["Authorization"].decode().split()[0])
)
result = app.lambda_handler(json.loads({event!r}), None)
crt = sys.modules["awscrt"].__file__
print(json.dumps({{"started": started, "result": result, "signed": sorted(set(signed)), "crt": crt}}))
"""
        function = functions()["RedirectsFunction"]
        directory = lambda_path(function, runtime)
        env = {
            **lambda_environment(function, directory),
            "AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE": server.endpoint_url,
            "REDIRECT_STORE_ARN": arn,
        }
        answer = run_python(probe, env, isolated=True)
        items = server.state.items(arn)
    finally:
        server.stop()
    assert answer["started"] == []
    assert answer["result"] == {"batchItemFailures": []}
    assert answer["signed"] == ["AWS4-ECDSA-P256-SHA256"]
    assert answer["crt"].startswith(str(built_layer("RedirectsLayer", NATIVE)))
    assert items == {"/tin-tuc/hoi-nghi.html": "/tin-tuc/hoi-nghi-moi.html"}
