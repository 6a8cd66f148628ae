# JupyterHub for a workshop: `make hub HUB_PASSWORD=...` starts it (as root) from build/hub/.
# Shared-password sign-in, one system user per learner, a memory limit each, idle culling, and an
# nbgitpuller link that gives every learner the course. Settings come from the environment
# (the Makefile's HUB_* variables): see docs/instructor.md, "A JupyterHub for the workshop".
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hub"))
from course_hub import USERNAME_PATTERN, LearnerSpawner, nbgitpuller_link  # noqa: E402

c = get_config()  # noqa: F821 (JupyterHub defines it)
env = os.environ.get
port = int(env("COURSE_HUB_PORT", "8765"))
password = env("COURSE_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("Set the learners' shared password (8 characters or more): make hub HUB_PASSWORD=...")

# Everything listens on 127.0.0.1: put a TLS reverse proxy (or TLJH) in front for a real class.
c.JupyterHub.bind_url = f"http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
if env("COURSE_HUB_PROXY"):  # configurable-http-proxy installed by `make hub` from npm
    c.ConfigurableHTTPProxy.command = [env("COURSE_HUB_PROXY")]

# Sign-in: any learner name with the shared password (JupyterHub's shared-password authenticator).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = password
c.Authenticator.allow_all = True
c.Authenticator.username_pattern = USERNAME_PATTERN

# Learners' servers: jupyter-<name> system users, the course environment, a memory cap each.
c.JupyterHub.spawner_class = LearnerSpawner
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = env("COURSE_HUB_MEMORY", "2G")
c.Spawner.start_timeout = c.Spawner.http_timeout = 120
c.Spawner.environment = (
    {"COURSE_QUICK": env("COURSE_HUB_QUICK", "")} if env("COURSE_HUB_QUICK") else {}
)

# Stop servers idle for COURSE_HUB_IDLE_SECONDS (jupyterhub-idle-culler, run by the hub).
idle = int(env("COURSE_HUB_IDLE_SECONDS", "3600"))
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={idle}"],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
if env("COURSE_HUB_SERVICE_TOKEN"):  # the instructor's (and make test-hub's) API token
    c.JupyterHub.services.append(
        {"name": "instructor", "api_token": env("COURSE_HUB_SERVICE_TOKEN")}
    )
    c.JupyterHub.load_roles.append(
        {
            "name": "instructor",
            "scopes": ["admin:users", "admin:servers", "list:users"],
            "services": ["instructor"],
        }
    )

# The course repository learners pull: HUB_REPO, else the one the README's Binder badge opens.
badge = re.search(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", (REPO / "README.md").read_text())
repo = env("COURSE_HUB_REPO") or f"https://github.com/{badge.group(1)}"
print(
    f"Course link for learners (nbgitpuller): {nbgitpuller_link(f'http://127.0.0.1:{port}', repo)}",
    file=sys.stderr,
)
