# SPEC E17: predict_raw returning a dict whose status.code overrides the HTTP status.
class MyModel:
    def predict_raw(self, msg):
        return {"data": {"ndarray": [1, 2]}, "status": {"code": 400, "status": "FAILURE"}}
