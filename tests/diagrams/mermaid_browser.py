"""Render Mermaid text in headless Chromium with the real mermaid package.

A page loads the mermaid bundle from .ci/node_modules, renders every diagram it is given,
and writes what happened (an error, or the text and the number of boxes and arrows drawn)
into the page as JSON; Chromium's --dump-dom prints the page once rendering is done.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MERMAID_JS = ROOT / ".ci" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"

# Flags that keep Chromium from reaching out anywhere: the page is a local file.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--virtual-time-budget=60000",
)

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="{script}"></script></head>
<body><pre id="results">pending</pre>
<script type="application/json" id="diagrams">{diagrams}</script>
<script>
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
async function run() {{
  const diagrams = JSON.parse(document.getElementById("diagrams").textContent);
  const results = [];
  for (let i = 0; i < diagrams.length; i++) {{
    try {{
      const {{svg}} = await mermaid.render("d" + i, diagrams[i]);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      document.body.appendChild(holder);
      holder.querySelectorAll("style").forEach((style) => style.remove());
      results.push({{
        ok: true,
        text: holder.textContent,
        nodes: holder.querySelectorAll("g.node").length,
        edges: holder.querySelectorAll("g.edgeLabel").length,
      }});
      holder.remove();
    }} catch (error) {{
      results.push({{ok: false, error: String(error && error.message || error)}});
    }}
  }}
  document.getElementById("results").textContent = JSON.stringify(results);
}}
run();
</script></body></html>
"""


def render_in_browser(chromium: str, diagrams: list[str], workdir: Path) -> list[dict[str, Any]]:
    """Render each Mermaid text; one result per diagram, in order."""
    # "</" would end the script element that carries the diagrams.
    payload = json.dumps(diagrams).replace("</", "<\\/")
    page = workdir / "mermaid.html"
    page.write_text(_PAGE.format(script=MERMAID_JS.as_uri(), diagrams=payload), "utf-8")

    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={workdir / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    completed = subprocess.run(command, capture_output=True, timeout=300, check=False)
    dom = completed.stdout.decode("utf-8", "replace")
    found = re.search(r'<pre id="results">(.*?)</pre>', dom, re.DOTALL)
    if found is None or found.group(1) == "pending":
        stderr = completed.stderr.decode("utf-8", "replace")[-2000:]
        raise AssertionError(f"the page did not finish rendering; chromium said: {stderr}")
    return json.loads(html.unescape(found.group(1)))
