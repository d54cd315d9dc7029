# Reports which interpreter prefix and which numpy the embedded Python uses.
import sys

import numpy


class MyModel:
    def predict(self, X, features_names):
        return {"prefix": sys.prefix, "numpy": numpy.__file__, "executable": sys.executable}
