"""ISO dates and times (see fangfan.formats): the same names in every language."""
from fangfan.formats import ISO

globals().update(ISO)
