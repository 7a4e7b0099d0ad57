"""The ``lifecycle diagram`` and ``lifecycle docs`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.lifecycle import Lifecycle
from engine.runtime import Engine
from tests.conftest import require_program

ADDRESS = {"name": "Ann", "address1": "1 Main St", "city": "Oslo", "country": "NO"}
SETTINGS = {"ship_method_map": {"UPS Ground": {"carrier": "UPS", "method": "GND"}}}


class TestDiagram:
    @pytest.mark.parametrize(
        ("name", "start"),
        [
            ("order.svg", b"<?xml"),
            ("order.png", b"\x89PNG"),
            ("order.pdf", b"%PDF"),
            ("order.gv", b"digraph lifecycle {"),
            ("order.mmd", b"flowchart LR"),
            ("order.puml", b"@startuml"),
        ],
    )
    def test_format_follows_the_file_ending(
        self, order_definition: Path, tmp_path: Path, name: str, start: bytes
    ) -> None:
        if name.endswith((".svg", ".png", ".pdf")):
            require_program("dot")
        target = tmp_path / name
        assert main(["diagram", str(order_definition), "-o", str(target)]) == 0
        assert target.read_bytes().startswith(start)
        assert [p.name for p in tmp_path.iterdir()] == [name]

    def test_format_option_wins_and_dash_writes_stdout(
        self, order_definition: Path, capsysbinary: pytest.CaptureFixture[bytes]
    ) -> None:
        assert main(["diagram", str(order_definition), "-o", "-", "--format", "mermaid"]) == 0
        assert capsysbinary.readouterr().out.startswith(b"flowchart LR\n")

    def test_no_guards_and_no_hooks(
        self, order_definition: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["diagram", str(order_definition), "-o", "-", "--format", "dot"]
        assert main([*argv, "--no-guards", "--no-hooks"]) == 0
        out = capsys.readouterr().out
        assert "address_complete" not in out and "create_order" not in out

    def test_binary_format_to_stdout_is_refused(
        self, order_definition: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["diagram", str(order_definition), "-o", "-", "--format", "png"]) == 1
        err = capsys.readouterr().err
        assert "png is binary and is not written to stdout" in err

    def test_unknown_file_ending_is_refused(
        self, order_definition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        target = tmp_path / "order.txt"
        assert main(["diagram", str(order_definition), "-o", str(target)]) == 1
        assert "cannot tell the format from the file name" in capsys.readouterr().err
        assert not target.exists()

    @pytest.mark.parametrize(
        ("name", "fmt", "implied"),
        [("x.png", "mermaid", "png"), ("x.svg", "png", "svg"), ("x.MMD", "dot", "mermaid")],
    )
    def test_format_contradicting_the_file_ending_is_refused(
        self,
        order_definition: Path,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        name: str,
        fmt: str,
        implied: str,
    ) -> None:
        target = tmp_path / name
        argv = ["diagram", str(order_definition), "-o", str(target), "--format", fmt]
        assert main(argv) == 2

        err = capsys.readouterr().err
        assert f"--format {fmt} contradicts the file name {str(target)!r}" in err
        assert f"ending means {implied}" in err
        assert list(tmp_path.iterdir()) == []

    def test_format_with_an_unknown_ending_is_followed(
        self, order_definition: Path, tmp_path: Path
    ) -> None:
        target = tmp_path / "order.txt"
        argv = ["diagram", str(order_definition), "-o", str(target), "--format", "mermaid"]
        assert main(argv) == 0
        assert target.read_text("utf-8").startswith("flowchart LR\n")

    def test_format_agreeing_with_the_ending_is_accepted(
        self, order_definition: Path, tmp_path: Path
    ) -> None:
        target = tmp_path / "order.gv"
        argv = ["diagram", str(order_definition), "-o", str(target), "--format", "dot"]
        assert main(argv) == 0
        assert target.read_text("utf-8").startswith("digraph lifecycle {")

    def test_missing_graphviz_says_how_to_install_and_what_works(
        self,
        order_definition: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        target = tmp_path / "order.svg"
        assert main(["diagram", str(order_definition), "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert "apt-get install graphviz" in err
        assert "dot, mermaid, plantuml, markdown" in err
        assert not target.exists()

    def test_order_without_db_is_a_usage_error(
        self, order_definition: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["diagram", str(order_definition), "-o", "-", "--order", "A-1"]) == 2
        assert "--order and --db go together" in capsys.readouterr().err


class TestOrderView:
    def test_draws_the_path_the_order_took(
        self,
        order_lifecycle: Lifecycle,
        order_definition: Path,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        db = tmp_path / "orders.db"
        order = {"id": "A-1", "ship_method": "Drone", "ship_to": ADDRESS}
        with Engine(order_lifecycle, store=db, settings=SETTINGS) as engine:
            engine.create("A-1", order)  # unmapped ship method: held in Error
            engine.send("A-1", "retry", {"ship_method": "UPS Ground"})
            engine.send("A-1", "cancel_sending")

        argv = ["diagram", str(order_definition), "-o", "-", "--format", "dot"]
        assert main([*argv, "--order", "A-1", "--db", str(db)]) == 0
        dot = capsys.readouterr().out

        assert "order A-1" in dot
        current = next(line for line in dot.splitlines() if line.startswith("  s1 ["))
        assert 'fillcolor="#fff3b0"' in current  # Cancel Sending, where the order is now
        taken = [line for line in dot.splitlines() if "penwidth=2.5" in line]
        assert [line.split("[")[0].strip() for line in taken] == [
            "start -> s5",  # download, held in Error
            "s0 -> s1",  # cancel_sending
            "s5 -> s0",  # retry
        ]

    def test_numbers_the_steps_so_a_revisit_reads_in_order(
        self,
        order_lifecycle: Lifecycle,
        order_definition: Path,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        db = tmp_path / "orders.db"
        order = {"id": "A-2", "ship_method": "Drone", "ship_to": ADDRESS}
        with Engine(order_lifecycle, store=db, settings=SETTINGS) as engine:
            engine.create("A-2", order)  # 1: held in Error
            engine.send("A-2", "retry", {"ship_method": "UPS Ground"})  # 2: to New
            engine.send("A-2", "cancel_sending")  # 3
            engine.send("A-2", "resume_sending")  # 4: back to New
            engine.send("A-2", "cancel_sending")  # 5: Cancel Sending again

        argv = ["diagram", str(order_definition), "-o", "-", "--format", "mermaid"]
        assert main([*argv, "--order", "A-2", "--db", str(db)]) == 0
        taken = [line for line in capsys.readouterr().out.splitlines() if "==>" in line]

        numbered = {line.split()[0] + line.split()[-1]: line.split("|")[1] for line in taken}
        assert numbered["starts5"].startswith('"<b>step 1</b><br>')
        assert numbered["s5s0"].startswith('"<b>step 2</b><br>')
        assert numbered["s0s1"].startswith('"<b>steps 3, 5</b><br>')
        assert numbered["s1s0"].startswith('"<b>step 4</b><br>')

    def test_unknown_order_and_missing_db_are_errors(
        self, order_definition: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        argv = ["diagram", str(order_definition), "-o", "-", "--format", "dot"]
        missing = tmp_path / "nope.db"
        assert main([*argv, "--order", "A-1", "--db", str(missing)]) == 1
        assert "no database at" in capsys.readouterr().err
        assert not missing.exists()


class TestDocs:
    def test_writes_the_page(self, order_definition: Path, tmp_path: Path) -> None:
        target = tmp_path / "order.md"
        assert main(["docs", str(order_definition), "-o", str(target)]) == 0
        assert target.read_text("utf-8").count("## ") >= 6

    def test_bad_definition_writes_nothing(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = tmp_path / "bad.yaml"
        bad.write_text("lifecycle: [unclosed\n", "utf-8")
        target = tmp_path / "out.md"
        assert main(["docs", str(bad), "-o", str(target)]) == 1
        assert "bad.yaml" in capsys.readouterr().err
        assert not target.exists()
