# For PAYLOAD_PASSTHROUGH=true: predict_raw sees str/bytes/dict and answers by type.
class MyModel:
    def predict_raw(self, msg):
        if isinstance(msg, bytes):
            return b"bytes:" + msg
        if isinstance(msg, str):
            return "str:" + msg
        if isinstance(msg, dict):
            if msg.get("status_dict"):
                return {"status": {"code": 418}}
            return msg
        return repr(msg)

    def transform_input(self, X, names):
        return X
