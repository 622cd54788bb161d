"""`chat BOT [-m TEXT] [--user ID] [--variant ID]`: talk to a bot; replies stream."""

from __future__ import annotations

import argparse
import sys

from runtime.dialogue import Dialogue, UnknownBot, UnknownVariant
from runtime.engine import ModelMissing
from runtime.i18n import t
from runtime.prompt import PromptTooLong
from runtime.spec import SpecError
from runtime.workspace import Workspace


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chat = commands.add_parser("chat", help="chat with a bot in the terminal")
    chat.add_argument("bot", help="bot id (the file name without .yaml)")
    chat.add_argument("-m", "--message", help="send one message and exit")
    chat.add_argument("--user", default="cli", help="who you are; same user = same conversation")
    chat.add_argument("--variant", help="variant id (default: the first)")
    chat.set_defaults(func=run)


def _say(dialogue: Dialogue, bot: str, user: str, message: str, variant: str | None) -> None:
    for piece in dialogue.reply(bot, user, message, variant):
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")


def run(workspace: Workspace, args: argparse.Namespace) -> int:
    lang, dialogue = workspace.lang, workspace.dialogue
    try:
        bot = dialogue.resolve(args.bot, args.variant)
        if args.message is not None:
            if not args.message.strip():  # nothing to answer: no reply made up from nothing
                print(t("chat.empty", lang), file=sys.stderr)
                return 1
            _say(dialogue, args.bot, args.user, args.message, args.variant)
            return 0
        print(t("cli.chat_intro", lang, name=bot.name), file=sys.stderr)
        greeting = dialogue.greet(args.bot, args.user, args.variant)
        if greeting:
            print(greeting)
        while True:
            try:
                line = input("> ").strip()
            except EOFError:
                return 0
            if line in ("/quit", "/exit"):
                return 0
            if line == "/reset":
                dialogue.reset(args.bot, args.user)
                print(t("cli.chat_reset", lang), file=sys.stderr)
            elif line:
                _say(dialogue, args.bot, args.user, line, args.variant)
    except UnknownBot as exc:
        known = ", ".join(exc.known) or t("spec.none", lang)
        print(t("cli.unknown_bot", lang, bot=exc.bot_id, known=known), file=sys.stderr)
    except UnknownVariant as exc:
        known = ", ".join(exc.known) or t("spec.none", lang)
        message = t("cli.unknown_variant", lang, bot=exc.bot_id, variant=exc.variant, known=known)
        print(message, file=sys.stderr)
    except SpecError as exc:
        print(t("cli.invalid_bot", lang, bot=args.bot), file=sys.stderr)
        print(str(exc), file=sys.stderr)
    except (ModelMissing, PromptTooLong) as exc:
        print(str(exc), file=sys.stderr)
    return 1
