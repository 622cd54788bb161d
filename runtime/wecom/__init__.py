"""WeCom's own protocol, below every channel that speaks it: message crypto (`crypto`),
where WeCom is (`config`), the push webhook client (`webhook`), byte limits (`split`),
reading AI-bot messages (`messages`), delivery errors in words (`reasons`), and each bot's
bindings with their credentials (`bindings`). The adapters are in runtime/channels."""
