"""Users import from the top: ``engine.__all__`` lists exactly the public names."""

from __future__ import annotations

import inspect

import engine
import engine.errors


def test_every_name_in_all_is_importable() -> None:
    missing = [name for name in engine.__all__ if not hasattr(engine, name)]

    assert missing == []
    assert len(engine.__all__) == len(set(engine.__all__))


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        name
        for name, value in vars(engine).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }

    assert public == set(engine.__all__)


def test_every_error_class_is_exported_and_derives_from_the_root() -> None:
    errors = {
        name
        for name, value in vars(engine.errors).items()
        if inspect.isclass(value)
        and issubclass(value, Exception)
        and value.__module__ == "engine.errors"
    }

    assert errors <= set(engine.__all__)
    for name in errors:
        assert issubclass(getattr(engine, name), engine.LifecycleError)
