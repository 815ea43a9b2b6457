"""Read a page's POST form back as the browser would submit it, and find its date fields."""

from html.parser import HTMLParser

DATE_TYPES = {"date", "datetime-local"}
DATE_WIDGETS = ("dateinput", "datetimeinput")


class _FormReader(HTMLParser):
    def __init__(self, action: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.dates: list[str] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value or "") for key, value in attrs}
        if tag == "form":
            matches = self.action is None or attrs.get("action", "") in ("", self.action)
            self.inside = attrs.get("method", "get").lower() == "post" and matches
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = attrs.get("type", "text").lower()
            # crispy names each input's widget in its classes (`dateinput`, `datetimeinput`…).
            widget_classes = attrs.get("class", "").split()
            if kind in DATE_TYPES or any(c.endswith(DATE_WIDGETS) for c in widget_classes):
                self.dates.append(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self._add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self._add(self._select, value)
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def read_form(content: str, action: str | None = None) -> tuple[dict, list[str]]:
    """The POST data of the page's post form(s) (those posting to `action`, when given) as
    the browser would send them unchanged, and the names of its date and date-time inputs."""
    reader = _FormReader(action)
    reader.feed(content)
    data = {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}
    return data, reader.dates
