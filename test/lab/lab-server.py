"""JupyterLab 3.6 for the end-to-end tests: Debian's jupyter-server 1.23 and jupyterlab_server 2.16 serving the
frontend that scripts/install-test-deps.sh builds from test/lab (Debian packages no `jupyterlab` with a built UI).

    python3 lab-server.py BUILD_DIR STATE_DIR [jupyter-server options...]

BUILD_DIR holds webpack's output (bundle, schemas, themes); STATE_DIR receives the user settings and workspaces, so
nothing from an earlier run or from the machine's own JupyterLab takes part.
"""

import os
import sys

# No config files from the machine or the user (the tests pass everything on the command line).
os.environ["JUPYTER_NO_CONFIG"] = "1"

from jupyterlab_server import LabServerApp  # noqa: E402
from tornado.web import StaticFileHandler  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_DIR, STATE_DIR = (os.path.abspath(a) for a in sys.argv[1:3])
# Debian's libjs-mathjax: the server's default MathJax URL is a CDN.
MATHJAX_DIR = "/usr/share/javascript/mathjax"


def _jupyter_server_extension_points():
    # jupyter-server finds the app to start through its module's extension points: this script's own module.
    return [{"module": __name__, "app": TestLabApp}]


class TestLabApp(LabServerApp):
    name = __name__
    extension_url = "/lab"
    default_url = "/lab"
    load_other_extensions = False
    app_name = "JupyterLab"
    app_version = "3.6.8"
    static_dir = BUILD_DIR
    schemas_dir = os.path.join(BUILD_DIR, "schemas")
    themes_dir = os.path.join(BUILD_DIR, "themes")
    templates_dir = os.path.join(HERE, "templates")
    # overrides.json: no news or update checks (they would ask the user, and reach for the network).
    app_settings_dir = os.path.join(HERE, "settings")
    user_settings_dir = os.path.join(STATE_DIR, "user-settings")
    workspaces_dir = os.path.join(STATE_DIR, "workspaces")

    def initialize_handlers(self):
        self.handlers.append((r"/lab-mathjax/(.*)", StaticFileHandler, {"path": MATHJAX_DIR}))
        super().initialize_handlers()

    def initialize_settings(self):
        super().initialize_settings()
        settings = self.serverapp.web_app.settings
        settings["terminals_available"] = False
        settings["mathjax_url"] = settings["base_url"] + "lab-mathjax/MathJax.js"


if __name__ == "__main__":
    TestLabApp.launch_instance(sys.argv[3:])
