"""Runtime hook that replaces PyInstaller's ``pyi_rth_pyside6``.

PyInstaller's hook imports ``PySide6.QtCore`` at every start (to register an embedded qt.conf),
which loads Qt and ICU even for ``readout-archive search``. The PySide6 wheel already registers
its own relocatable qt.conf when QtCore is first imported, so all we need is the plugin path, set
as an environment variable that costs nothing until the GUI imports Qt.

It overrides any QT_PLUGIN_PATH from the environment on purpose: plugins built against another Qt
would crash the bundled one.
"""


def _set_qt_plugin_path() -> None:
    import os
    import sys

    os.environ["QT_PLUGIN_PATH"] = os.path.join(sys._MEIPASS, "PySide6", "Qt", "plugins")


_set_qt_plugin_path()
del _set_qt_plugin_path
