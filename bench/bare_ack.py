"""The baseline for bench/wecom.py: a FastAPI handler that only acknowledges."""

from fastapi import FastAPI, Request, Response

app = FastAPI()


@app.post("/wecom/aibot/{bot_id}")
async def acknowledge(bot_id: str, request: Request) -> Response:
    await request.body()
    return Response(status_code=200)
