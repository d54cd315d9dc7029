"""``seldon_core.*`` module aliases, so model files written for the original import unchanged."""

import importlib.util
import sys
import types

# alias -> our module that stands in for it
_ALIASES = {
    "seldon_core.user_model": "seldon_core_c.user_model",
    "seldon_core.flask_utils": "seldon_core_c.flask_utils",
    "seldon_core.metrics": "seldon_core_c.metrics",
}


def _original_installed() -> bool:
    try:
        return importlib.util.find_spec("seldon_core") is not None
    except (ImportError, ValueError):
        return False


def install_aliases() -> bool:
    """Register the aliases unless the original package is importable. True if installed."""
    if "seldon_core" in sys.modules or _original_installed():
        return False
    package = types.ModuleType("seldon_core")
    package.__path__ = []  # a package, so `import seldon_core.x` looks up sys.modules
    setattr(package, "__version__", "1.17.1")
    sys.modules["seldon_core"] = package
    for alias, target in _ALIASES.items():
        module = importlib.import_module(target)
        sys.modules[alias] = module
        setattr(package, alias.rsplit(".", 1)[1], module)
        # Reprs and error messages name the classes as the original does, e.g.
        # <seldon_core.user_model.SeldonResponse object at 0x...>.
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == target:
                value.__module__ = alias
    return True
