# Deprecated *_rest methods: results are returned as-is (send_feedback_rest gets a JSON string).
class MyModel:
    def predict_rest(self, request):
        if isinstance(request, dict) and request.get("jsonData") == "teapot":
            return {"status": {"code": 418, "status": "FAILURE"}, "strData": "teapot"}
        return {"jsonData": {"rest": request}}

    def send_feedback_rest(self, request_json):
        return {"strData": request_json}

    def transform_input_rest(self, request):
        return {"jsonData": {"ti": request}}

    def transform_output_rest(self, request):
        return {"jsonData": {"to": request}}

    def route_rest(self, request):
        return {"data": {"ndarray": [[5]]}}

    def aggregate_rest(self, request):
        return {"jsonData": {"agg": request}}
