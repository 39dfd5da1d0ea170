"""``nianbao serve``: the web application over the store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from nianbao.errors import NianbaoError

EXIT_ERROR = 2


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(
    host: Annotated[str, typer.Option(
        "--host", help="监听地址。默认只在本机（127.0.0.1）可访问；在内网提供服务时用 0.0.0.0。")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。")] = 8000,
    require_login: Annotated[bool, typer.Option(
        "--require-login", help="未登录的访问者不能查看任何页面（默认可匿名只读浏览）。")] = False,
    db: Annotated[str | None, typer.Option(
        "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则 ./nianbao.db）。",
        show_default=False)] = None,
) -> None:
    """启动网页应用：检查、年报库、单位、对比、总览和规则页面，以及 /api/ 下的 REST 接口。
    匿名访问者只能查看；上传、入库和管理需要登录（用 nianbao users add 创建账户）。"""
    import uvicorn

    from nianbao.store import Store
    from nianbao.web import create_app
    from nianbao.web.settings import WebSettings

    err = Console(stderr=True)
    try:
        settings = WebSettings(require_login=True) if require_login else WebSettings()
        if db:
            settings.database_url = db
        store = Store(settings.database_url)
        app = create_app(settings, store)
    except NianbaoError as exc:
        err.print(f"[red]无法启动：{exc.message}[/red]")
        raise typer.Exit(EXIT_ERROR) from None
    err.print(f"nianbao 网页应用：http://{host}:{port}/ （数据库 {store.display_url}；Ctrl-C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="warning")
