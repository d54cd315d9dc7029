# Raw methods: every *_raw receives the decoded request and returns a message as-is.
class MyModel:
    def predict_raw(self, msg):
        if isinstance(msg, dict) and msg.get("jsonData") == "raise":
            raise ValueError("raw boom")
        if isinstance(msg, dict) and msg.get("jsonData") == "metrics":
            return {"data": {"ndarray": [1]},
                    "meta": {"metrics": [{"type": "GAUGE", "key": "rawgauge", "value": 3}]}}
        if isinstance(msg, dict) and msg.get("jsonData") == "badmetrics":
            return {"data": {"ndarray": [1]}, "meta": {"metrics": [{"type": "NOPE", "key": "x", "value": 1}]}}
        if isinstance(msg, dict) and msg.get("jsonData") == "status":
            return {"status": {"code": 418, "info": "teapot"}}
        if isinstance(msg, dict) and msg.get("jsonData") == "list":
            return [1, {"b": 2, "a": 1}]
        return {"jsonData": {"got": msg}}

    def transform_input_raw(self, msg):
        return msg

    def transform_output_raw(self, msg):
        return {"strData": "out", "meta": {"tags": {"raw": "yes"}}}

    def route_raw(self, msg):
        return {"data": {"ndarray": [[1]]}}

    def aggregate_raw(self, msgs):
        return {"jsonData": {"got": msgs}}

    def send_feedback_raw(self, feedback):
        # both pass a Feedback proto and take a SeldonMessage proto back; type(feedback.request)
        # is that class whichever package generated it (the original's or seldon-core-c's pool)
        from google.protobuf import json_format
        out = type(feedback.request)()
        json_format.ParseDict({"jsonData": {"reward": feedback.reward,
                                            "keys": sorted(f.json_name for f, _ in feedback.ListFields())}}, out)
        return out

    def health_status_raw(self):
        return {"status": {"status": 0}, "strData": "raw ok"}
