"""Turns a terminal capture with SGR colour escapes (tmux capture-pane -e) into an HTML page
that looks like the terminal: the 16 ANSI colours, 256-colour and RGB foregrounds, bold, dim,
underline. Reads stdin, writes stdout."""
import html
import re
import sys

PALETTE = ["#1e1e1e", "#e06c75", "#98c379", "#e5c07b", "#61afef", "#c678dd", "#56b6c2", "#dcdfe4",
           "#5c6370", "#ff7b86", "#b5e890", "#ffd68a", "#8ccaff", "#e29cff", "#7fd8e3", "#ffffff"]


def colour256(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def main():
    text = sys.stdin.read()
    state = {"fg": None, "bold": False, "dim": False, "underline": False}
    out = []
    pos = 0
    for match in re.finditer(r"\x1b\[([0-9;]*)m", text):
        out.append(span(text[pos:match.start()], state))
        pos = match.end()
        codes = [int(c) if c else 0 for c in match.group(1).split(";")]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                state = {"fg": None, "bold": False, "dim": False, "underline": False}
            elif c == 1:
                state["bold"] = True
            elif c == 2:
                state["dim"] = True
            elif c == 4:
                state["underline"] = True
            elif c == 22:
                state["bold"] = state["dim"] = False
            elif c == 24:
                state["underline"] = False
            elif 30 <= c <= 37:
                state["fg"] = PALETTE[c - 30]
            elif 90 <= c <= 97:
                state["fg"] = PALETTE[c - 90 + 8]
            elif c == 39:
                state["fg"] = None
            elif c == 38 and i + 2 < len(codes) and codes[i + 1] == 5:
                state["fg"] = colour256(codes[i + 2])
                i += 2
            elif c == 38 and i + 4 < len(codes) and codes[i + 1] == 2:
                state["fg"] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                i += 4
            i += 1
    out.append(span(text[pos:], state))
    body = "".join(out)
    print("<!doctype html><html><head><meta charset='utf-8'><style>"
          "body{margin:0;background:#1e1e1e}"
          "pre{margin:0;padding:14px 18px;color:#dcdfe4;background:#1e1e1e;"
          "font:15px/1.35 'DejaVu Sans Mono','Noto Sans Mono CJK SC',monospace}"
          "</style></head><body><pre>" + body + "</pre></body></html>")


def span(chunk, state):
    if not chunk:
        return ""
    style = []
    if state["fg"]:
        style.append("color:" + state["fg"])
    if state["bold"]:
        style.append("font-weight:bold")
    if state["dim"]:
        style.append("opacity:.6")
    if state["underline"]:
        style.append("text-decoration:underline")
    escaped = html.escape(chunk)
    return "<span style='%s'>%s</span>" % (";".join(style), escaped) if style else escaped


main()
