"""Presets: the OpenAI-compatible APIs of the common Chinese providers and the usual
self-hosted servers. Base URLs and a suggested model only: keys are typed by the user.

`structured` is how a server is asked for JSON that follows a schema (lead
extraction); `runtime.endpoints.remote` falls back to a plainer form when a server
refuses one, so a wrong guess here costs one request, not the feature.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# How structured output is asked for, per dialect:
#   json_schema         response_format {"type": "json_schema", ...}: OpenAI, vLLM
#   json_object_schema  response_format {"type": "json_object", "schema": ...}: llama.cpp's
#                       servers (llama-server and llama-cpp-python's), enforced by a grammar
#   ollama              Ollama's `format` (and response_format, which its /v1 maps to it)
#   json_object         response_format {"type": "json_object"}, the schema in the prompt:
#                       what every hosted Chinese provider accepts
STRUCTURED_BY_KIND = {
    "openai": "json_schema",
    "vllm": "json_schema",
    "llama-server": "json_object_schema",
    "ollama": "ollama",
}


@dataclass(frozen=True)
class Preset:
    id: str
    zh: str
    en: str
    base_url: str
    kind: str = "openai"
    model: str = ""  # a suggested default model; "" = the one the server serves
    needs_key: bool = True
    structured: str = ""  # "" = the kind's own (STRUCTURED_BY_KIND)

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


PRESETS: tuple[Preset, ...] = (
    Preset(
        "deepseek",
        "DeepSeek 深度求索",
        "DeepSeek",
        "https://api.deepseek.com/v1",
        model="deepseek-chat",
        structured="json_object",
    ),
    Preset(
        "dashscope",
        "通义千问（阿里云百炼 · 兼容模式）",
        "Qwen (DashScope, compatible mode)",
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        model="qwen-plus",
        structured="json_object",
    ),
    Preset(
        "zhipu",
        "智谱 GLM（BigModel 开放平台）",
        "Zhipu GLM (BigModel)",
        "https://open.bigmodel.cn/api/paas/v4",
        model="glm-4-flash",
        structured="json_object",
    ),
    Preset(
        "moonshot",
        "月之暗面 Kimi（Moonshot）",
        "Moonshot Kimi",
        "https://api.moonshot.cn/v1",
        model="moonshot-v1-8k",
        structured="json_object",
    ),
    Preset(
        "doubao",
        "豆包（火山方舟）",
        "Doubao (Volcengine Ark)",
        "https://ark.cn-beijing.volces.com/api/v3",
        model="doubao-1-5-pro-32k-250115",
        structured="json_object",
    ),
    Preset(
        "siliconflow",
        "硅基流动 SiliconFlow",
        "SiliconFlow",
        "https://api.siliconflow.cn/v1",
        model="Qwen/Qwen2.5-7B-Instruct",
        structured="json_object",
    ),
    Preset(
        "hunyuan",
        "腾讯混元",
        "Tencent Hunyuan",
        "https://api.hunyuan.cloud.tencent.com/v1",
        model="hunyuan-turbo",
        structured="json_object",
    ),
    Preset(
        "qianfan",
        "百度千帆（文心）",
        "Baidu Qianfan (ERNIE)",
        "https://qianfan.baidubce.com/v2",
        model="ernie-4.0-turbo-8k",
        structured="json_object",
    ),
    Preset(
        "llama-server",
        "自建 llama.cpp（llama-server）",
        "Self-hosted llama.cpp (llama-server)",
        "http://127.0.0.1:8080/v1",
        kind="llama-server",
        needs_key=False,
    ),
    Preset(
        "vllm",
        "自建 vLLM",
        "Self-hosted vLLM",
        "http://127.0.0.1:8000/v1",
        kind="vllm",
        needs_key=False,
    ),
    Preset(
        "ollama",
        "自建 Ollama",
        "Self-hosted Ollama",
        "http://127.0.0.1:11434/v1",
        kind="ollama",
        model="qwen2.5:7b",
        needs_key=False,
    ),
)
BY_ID = {p.id: p for p in PRESETS}


def preset_for_url(url: str) -> Preset | None:
    """The hosted provider whose API this URL is on (by host), if any."""
    host = urlsplit(url).hostname or ""
    for preset in PRESETS:
        if preset.needs_key and urlsplit(preset.base_url).hostname == host:
            return preset
    return None


def guess_kind(url: str) -> str:
    """The kind of server a URL probably is, when the user did not say."""
    port = urlsplit(url).port
    return "ollama" if port == 11434 else "openai"


def structured_mode(kind: str, base_url: str) -> str:
    """How to ask this server for schema-shaped JSON first."""
    if kind == "openai":
        preset = preset_for_url(base_url)
        if preset is not None and preset.structured:
            return preset.structured
    return STRUCTURED_BY_KIND.get(kind, "json_object")
