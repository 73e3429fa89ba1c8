"""``dlkit.nn.init`` is ``dlkit.init`` (torch spells it ``torch.nn.init``)."""
from ..init import *  # noqa: F401,F403
from ..init import _calculate_fan_in_and_fan_out  # noqa: F401
