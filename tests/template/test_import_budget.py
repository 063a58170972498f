"""Cold start, the import budget (issue 13): each handler's import against ``import boto3``.

Held the way Powertools holds its own import time, as a failing test: a
handler module (``functions/<name>/app.py``) loads in at most
``IMPORT_BUDGET`` times what ``import boto3`` takes, both in fresh
interpreters of the same run, alternating, the median of ``RUNS`` each (two
noisy shared cores: no absolute threshold, only the ratio). It is measured
twice: on the development tree, and on a Lambda-like path (``python -S``, the
runtime's boto3 only, the layers as their Makefiles build them, with their
``.pyc``), with the function's variables from template.yaml and Lambda's own
(tracing on, as on AWS).

Start-up loads nothing of the core, of boto3 or of the X-Ray SDK: the
handler's module holds Powertools' Logger and Metrics and makes the rest on
its first invocation. That first invocation is held too, by what it must not
load: awscrt and the KeyValueStore client stay off every function's first
invocation but the redirects function's (the only one that has them), Word's
mammoth off all of them, Pillow and fpdf2 off all but their own function. Its time is in
docs/cold-start.md (``bench/cold_start.py``), not in a threshold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cold_start import (
    BUILDERS,
    FIRST_IMPORTS,
    NOT_AT_START,
    first_invocation,
    functions,
    import_figures,
    lambda_environment,
    lambda_path,
    run_python,
    runtime_directory,
    source_path,
)

IMPORT_BUDGET = 1.25
RUNS = 7
# What a first invocation may load of NOT_AT_START: the Tracer's X-Ray SDK (tracing is on),
# the core's templates and locales, and the function's own layer.
FIRST_INVOCATION_LOADS = {
    "PublishFunction": {"aws_xray_sdk", "jinja2", "babel"},
    "RenderFunction": {"aws_xray_sdk", "jinja2", "babel"},
    "HitsFunction": {"aws_xray_sdk", "jinja2", "babel"},
    "SearchFunction": {"aws_xray_sdk", "jinja2", "babel"},
    "PicturesFunction": {"aws_xray_sdk", "jinja2", "babel", "PIL"},
    "PdfFunction": {"aws_xray_sdk", "jinja2", "babel", "PIL", "fpdf", "fontTools"},
    "RedirectsFunction": {"awscrt"},  # no core, no Tracer: its client and SigV4A signer, nothing else
}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return runtime_directory(tmp_path_factory.mktemp("runtime"))


def test_every_function_is_measured() -> None:
    assert set(functions()) == set(BUILDERS) == set(FIRST_IMPORTS) == set(FIRST_INVOCATION_LOADS)


@pytest.mark.parametrize("logical", sorted(functions()))
def test_handler_import_is_within_budget_of_boto3_on_the_development_tree(logical: str) -> None:
    function = functions()[logical]
    figures = import_figures(lambda_environment(function, source_path(function)), runs=RUNS)
    assert not figures.loaded, f"{logical} loads {figures.loaded} at start-up: load them where first used"
    assert figures.ratio <= IMPORT_BUDGET, f"{figures.describe(logical)}, over {IMPORT_BUDGET}x"


@pytest.mark.parametrize("logical", sorted(functions()))
def test_handler_import_is_within_budget_of_boto3_on_a_lambda_like_path(logical: str, runtime: Path) -> None:
    function = functions()[logical]
    env = lambda_environment(function, lambda_path(function, runtime))
    figures = import_figures(env, runs=RUNS, isolated=True)
    assert not figures.loaded, f"{logical} loads {figures.loaded} at start-up: load them where first used"
    assert figures.ratio <= IMPORT_BUDGET, f"{figures.describe(logical)}, over {IMPORT_BUDGET}x"


@pytest.mark.parametrize("logical", sorted(functions()))
def test_first_invocation_keeps_rarely_used_parts_off(logical: str, runtime: Path) -> None:
    """No site-packages, the runtime's boto3 only: the handler imports, builds its worker, imports its use case."""
    function = functions()[logical]
    env = lambda_environment(function, lambda_path(function, runtime))
    assert env.get("REDIRECT_STORE_ARN", "").startswith("arn:") or logical != "RedirectsFunction"
    answer = first_invocation(env, logical)
    loaded = {name for name in NOT_AT_START if name in answer["loaded"]}
    assert loaded == FIRST_INVOCATION_LOADS[logical], f"{logical} loads {sorted(loaded)} on its first call"
    signs_sigv4a = "botocore.crt.auth" in answer["loaded"]
    assert signs_sigv4a == (logical == "RedirectsFunction"), "SigV4A is the redirects function's alone"
    if logical == "RedirectsFunction":
        assert not {"newsroom", "aws_lambda_powertools"} & {m.split(".")[0] for m in answer["loaded"]}


def test_the_tracer_is_made_only_where_it_traces(runtime: Path) -> None:
    """Powertools' rule, read without a Tracer: on in Lambda, off under sam local or when disabled."""
    function = functions()["PublishFunction"]
    env = lambda_environment(function, lambda_path(function, runtime))
    probe = """
import json, sys
import app
traced = app.traced() is not app.handle
print(json.dumps({"traced": traced, "xray": "aws_xray_sdk" in sys.modules}))
"""
    assert run_python(probe, env, isolated=True) == {"traced": True, "xray": True}
    for off in ({"POWERTOOLS_TRACE_DISABLED": "true"}, {"AWS_SAM_LOCAL": "true"}, {"LAMBDA_TASK_ROOT": ""}):
        assert run_python(probe, {**env, **off}, isolated=True) == {"traced": False, "xray": False}, off
