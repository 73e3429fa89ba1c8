"""``dlkit.nn.functional`` is ``dlkit.functional`` (the same module, under torch's spelling)."""
from ..functional import *  # noqa: F401,F403
