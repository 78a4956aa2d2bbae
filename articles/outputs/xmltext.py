"""Text that XML 1.0 can carry, for the feeds and sitemaps.

XML 1.0 has no way at all to write a NUL, most C0 control characters, a lone surrogate or
U+FFFE/U+FFFF (https://www.w3.org/TR/xml/#charsets): Django's feed writer refuses the whole
feed over one, and an XML parser rejects a sitemap that holds one. Copy pasted into the desk
can carry them (a vertical tab from a word processor, an escape from a terminal), so what a
feed or a sitemap writes leaves them out; the story's page shows its text as it is.
"""

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value):
    """`value` without the characters XML 1.0 cannot carry; lists and tuples item by item."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(item) for item in value)
    return value
