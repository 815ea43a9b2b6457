"""JSON as the API writes it: times to the microsecond, as stored.

Django's encoder cuts times to the millisecond; a client that reads a record and sends a
time back would then change it. Here a time written back is the time stored.
"""

from datetime import datetime

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ExactTimesEncoder(NinjaJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class ExactJSONRenderer(JSONRenderer):
    encoder_class = ExactTimesEncoder
