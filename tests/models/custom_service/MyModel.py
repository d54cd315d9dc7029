# A model with custom_service (SPEC 5.2): the service records its pid in a file named by the
# CUSTOM_PID_FILE env var, and crashes once if CUSTOM_CRASH_ONCE names a file that exists.
import os
import time


class MyModel:
    def predict(self, X, features_names):
        return X

    def custom_service(self):
        crash_flag = os.environ.get("CUSTOM_CRASH_ONCE")
        with open(os.environ["CUSTOM_PID_FILE"], "a") as f:
            f.write(f"{os.getpid()}\n")
        if crash_flag and os.path.exists(crash_flag):
            os.unlink(crash_flag)
            raise RuntimeError("custom service crash")
        while True:
            time.sleep(0.5)
