"""A rendered HTML form read back as a browser would submit it, with the standard library."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """The successful controls of the form with id `form_id`, in document order."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self.submits: list[str] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
            self.found = self.found or self.inside
            return
        if not self.inside:
            return
        name = attributes.get("name")
        disabled = "disabled" in attributes
        if tag == "input" and name and not disabled:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind == "submit":
                self.submits.append(name)
            elif kind not in ("button", "image", "reset", "file"):
                self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name and not disabled:
            self._select = {"name": name, "chosen": [], "first": None}
            self._select["multiple"] = "multiple" in attributes
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "text": ""}
            self._option["selected"] = "selected" in attributes
        elif tag == "textarea" and name and not disabled:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._option is not None:
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            select = self._select
            chosen = select["chosen"]
            if not chosen and not select["multiple"] and select["first"] is not None:
                chosen = [select["first"]]
            self.fields.extend((select["name"], value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            # A browser drops the newline that follows <textarea>, as the HTML standard says.
            self.fields.append((self._textarea["name"], text[1:] if text[:1] == "\n" else text))
            self._textarea = None

    def _close_option(self) -> None:
        option = self._option
        if option is None or self._select is None:
            return
        value = option["value"] if option["value"] is not None else option["text"].strip()
        if self._select["first"] is None:
            self._select["first"] = value
        if option["selected"]:
            self._select["chosen"].append(value)
        self._option = None


def form_data(html: str, form_id: str) -> tuple[dict[str, list[str]], list[str]]:
    """(field name → values, submit button names) of the form `form_id` in `html`.

    The empty inline form the admin keeps as a template ("__prefix__") is never sent.
    """
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    assert reader.found, f"no <form id={form_id!r}> in the page"
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        if "__prefix__" in name:
            continue
        data.setdefault(name, []).append(value)
    return data, reader.submits
