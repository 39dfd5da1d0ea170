"""The API's common error schema, for the OpenAPI description of every route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nianbao.web.errors import error_body


class ErrorDetail(BaseModel):
    code: str = Field(description="稳定的英文错误代码")
    message: str = Field(description="中文说明：哪里不对、怎么办")
    detail: Any = Field(None, description="补充信息（可为 null）")


class ErrorBody(BaseModel):
    """Every error of the API has this shape."""

    error: ErrorDetail


def error_response(description: str, code: str, message: str) -> dict:
    """An entry of ``responses=`` documenting one error status with an example."""
    return {"model": ErrorBody, "description": description,
            "content": {"application/json": {"example": error_body(code, message)}}}
