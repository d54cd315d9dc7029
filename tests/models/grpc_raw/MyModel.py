# gRPC end-to-end model: raw methods receive and return the proto message.
class MyModel:
    def predict_raw(self, msg):
        msg.strData = "raw:" + type(msg).__name__
        return msg

    def send_feedback_raw(self, feedback):
        out = type(feedback.request)()
        out.strData = "reward=%g" % feedback.reward
        return out
