"""Runs cases through the ORIGINAL seldon-core wrapper (Flask test client) and prints results.

Executed with the original's interpreter (e.g. /opt/seldon-orig/bin/python), never imported by
the test suite. stdin: {"env": {...}, "cases": [{"model": source, "cls": name, "path": url,
"method": "GET"|"POST", "body": text or null, "env": {...}}]}. stdout: a JSON list of
{"status": int, "body": text} (or {"error": text} when the test client itself raised).
"""

import json
import logging
import os
import sys


def main() -> None:
    spec = json.load(sys.stdin)
    os.environ.update(spec.get("env", {}))
    logging.disable(logging.CRITICAL)
    from seldon_core.metrics import SeldonMetrics
    from seldon_core.wrapper import get_rest_microservice

    store = SeldonMetrics()
    results = []
    for case in spec["cases"]:
        saved = dict(os.environ)
        os.environ.update(case.get("env", {}))
        try:
            namespace: dict = {"__name__": "model_under_test"}
            exec(compile(case["model"], "<model>", "exec"), namespace)
            user_object = namespace[case.get("cls", "Model")]()
            client = get_rest_microservice(user_object, store).test_client()
            body = case.get("body")
            kwargs = {}
            if body is not None:
                kwargs = {"data": body.encode("utf-8"), "content_type": "application/json"}
            response = client.open(case["path"], method=case.get("method", "POST"), **kwargs)
            results.append({"status": response.status_code, "body": response.get_data().decode("utf-8")})
        except Exception as exc:  # the test client re-raises what Flask could not answer
            results.append({"error": "%s: %s" % (type(exc).__name__, exc)})
        finally:
            os.environ.clear()
            os.environ.update(saved)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
