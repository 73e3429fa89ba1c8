"""Jupyter server settings for every server on the course hub (on JUPYTER_CONFIG_PATH, like nbgrader_config.py)."""

c = get_config()  # noqa: F821 - injected by traitlets when it loads this file

# Terminals run bash as a plain shell, not a login shell: a login shell reads /etc/profile, which resets PATH and
# so loses the course venv's bin/ (`dlcourse`, `nbgrader`) that the hub puts first.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
