"""`{% pagecache "name" %} … {% endpagecache %}`: a fragment cached by apps.portal.page_cache."""

from django import template

from apps.portal.page_cache import cached_fragment

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        return cached_fragment(
            context.get("request"), self.name.resolve(context),
            lambda: self.nodelist.render(context), context.get("csrf_token"),
        )


@register.tag("pagecache")
def do_pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% pagecache \"name\" %}…{% endpagecache %}")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]))
