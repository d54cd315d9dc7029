# Runtime metrics of every kind via SeldonResponse, selected by the strData.
from seldon_core.user_model import SeldonResponse

METRICS = {
    "counter": [{"type": "COUNTER", "key": "c1", "value": 2}],
    "gauge": [{"type": "GAUGE", "key": "g1", "value": 2.5}],
    "timer": [{"type": "TIMER", "key": "t1", "value": 10}],
    "tags": [{"type": "COUNTER", "key": "c2", "value": 1, "tags": {"a": "b"}}],
    "all": [{"type": "COUNTER", "key": "c3", "value": 1}, {"type": "GAUGE", "key": "g3", "value": -1},
            {"type": "TIMER", "key": "t3", "value": 0.5, "tags": {"x": "y"}}],
    "badtype": [{"type": "HISTOGRAM", "key": "h", "value": 1}],
    "novalue": [{"type": "COUNTER", "key": "c"}],
    "nokey": [{"type": "COUNTER", "value": 1}],
    "strvalue": [{"type": "COUNTER", "key": "c", "value": "1"}],
    "notlist": {"type": "COUNTER", "key": "c", "value": 1},
    "empty": [],
    "badname": [{"type": "COUNTER", "key": "bad-name", "value": 1}],
    "badlabel": [{"type": "GAUGE", "key": "goodname", "value": 1, "tags": {"bad-label": "x"}}],
}


class MyModel:
    def predict(self, X, names):
        return SeldonResponse(data=[1, 2], metrics=METRICS[X], tags={"kind": X})
