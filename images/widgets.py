"""The focal point, set by clicking on the picture (or with the arrow keys) in its admin page.

A real form field underneath (focal_y's input, focal_x hidden beside it): without script the
editor types the two numbers. The script is a static file, so it runs under the admin's CSP.
"""

from django import forms

from images import delivery, specs


class FocalPointWidget(forms.NumberInput):
    template_name = "images/focal_point_widget.html"

    class Media:
        js = ["images/focal-point.js"]
        css = {"all": ["images/focal-point.css"]}

    def __init__(self, attrs=None):
        super().__init__({"step": "0.001", "min": "0", "max": "1", **(attrs or {})})
        self.image = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        image = self.image
        preview = None
        if image is not None and image.pk:
            files = [r for r in image.renditions(specs.FREE) if r.format == "jpeg"]
            if files:
                chosen = next(
                    (r for r in sorted(files, key=lambda r: r.width) if r.width >= 640), files[-1]
                )
                preview = {
                    "url": delivery.url(chosen.name),
                    "width": chosen.width,
                    "height": chosen.height,
                }
        context["widget"]["preview"] = preview
        context["widget"]["image"] = image
        return context
