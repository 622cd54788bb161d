"""The studio's look: a calm blue theme, system CJK fonts (nothing fetched from the web)."""

from __future__ import annotations

import gradio as gr

FONTS = ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "system-ui", "sans-serif"]


def theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="blue",
        secondary_hue="sky",
        neutral_hue="slate",
        font=FONTS,
        font_mono=["SFMono-Regular", "Consolas", "monospace"],
    ).set(body_background_fill="#f4f6fb", block_radius="12px")


CSS = """
.gradio-container { width: 100% !important; max-width: 1280px !important;
  margin: 0 auto !important; }
#topbar { align-items: center; background: linear-gradient(90deg, #1e3a8a, #2563eb);
  border-radius: 14px; padding: 10px 18px; margin-bottom: 6px; }
#topbar .brand { color: #fff; font-size: 22px; font-weight: 700; white-space: nowrap; }
#topbar .brand small { display: block; font-size: 12px; font-weight: 400;
  color: #dbeafe !important; }
#topbar .block, #topbar .html-container { background: transparent; border: 0;
  box-shadow: none; }
#topbar .brand, #topbar .brand * { color: #fff !important; }
#topbar label span { color: #e0e7ff !important; }
.section-error { color: #dc2626; background: #fef2f2; border: 1px solid #fecaca;
  border-radius: 8px; padding: 6px 12px; }
.section-error p { margin: 2px 0; }
.status-ok { color: #15803d; }
.status-bad { color: #dc2626; }
#unsaved-question { align-items: center; background: #fffbeb; border: 1px solid #fcd34d;
  border-radius: 10px; padding: 6px 12px; margin-bottom: 6px; }
.unsaved-mark { color: #b45309; font-weight: 600; }
.demo-notice { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 10px;
  padding: 6px 12px; }
.row-tools { align-items: end; }
.row-tools button { max-height: 40px; }
.help { color: #64748b; font-size: 13px; }
.stats { color: #475569; font-size: 13px; font-variant-numeric: tabular-nums; }
"""
