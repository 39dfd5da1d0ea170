"""The report filters shared by ``stats`` and ``export`` (issue 4: export is "filtered like
stats"): one definition of each option, so the two commands cannot drift apart."""

from __future__ import annotations

from typing import Annotated

import typer

Years = Annotated[list[str] | None, typer.Option(
    "--year", help="年度，可重复或写范围：2023、2021-2023、2019,2021。", show_default=False)]
Region = Annotated[str | None, typer.Option(
    "--region", help="地区：区划代码（如 360982）、名称（如 樟树市）或路径（如 "
    "江西省/宜春市/樟树市），含其下各级。", show_default=False)]
Level = Annotated[str | None, typer.Option(
    "--level", help="机关层级：政府、部门、乡镇街道。", show_default=False)]
Layout = Annotated[str | None, typer.Option(
    "--layout", help="表格格式：2021、2019、mixed。", show_default=False)]
HasErrors = Annotated[bool | None, typer.Option(
    "--has-errors/--no-errors", help="只包括有（或没有）错误级问题的报告。", show_default=False)]
