"""The dialogue: one user's message to one bot, answered through its current variant.

Every channel (the command line, the studio's try-out chat, WeCom) comes here,
so a bot behaves the same wherever it is reached. The reply it hands back streams,
and is remembered and counted at its end, in runtime/reply.py.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from runtime.assignments import Assignments
from runtime.engine import Engine, Generation, GenerationStats
from runtime.i18n import t
from runtime.knowledge.faq import (
    ANSWER,
    ASK,
    HINT,
    NONE,
    FaqDecision,
    FaqMatch,
    FaqMatcher,
    chosen,
    matcher_for,
)
from runtime.knowledge.library import KnowledgeBases
from runtime.knowledge.note import offered_questions, reference_note, which_did_you_mean
from runtime.knowledge.passages import Hit
from runtime.knowledge.unanswered import worth_keeping
from runtime.leads.capture import LeadCapture, Observation
from runtime.leads.store import LeadStore
from runtime.logmask import mask_user
from runtime.prompt import BuiltPrompt, build_prompt
from runtime.prompt.hidden import HiddenTextGuard
from runtime.reply import Reply
from runtime.safety import WordGuard
from runtime.spec import BotRepository, BotSpec, ResolvedBot
from runtime.store import Conversations, Turn
from runtime.store.events import (
    CONVERTED,
    FEEDBACK,
    FIELD,
    STARTED,
    UNANSWERED,
    EventLog,
)

log = logging.getLogger(__name__)
TRY_OUT = "studio:"  # the studio's try-out people: their questions are no customers'


def note_from_caller(note: str, lang: str) -> str:
    """A caller's own instructions (an API client's system message, where the bot allows
    it), after the bot's own: they ride on the message, the pinned prefix stays."""
    return t("dialogue.caller_note", lang, note=note.strip()) if note.strip() else ""


class UnknownBot(KeyError):
    def __init__(self, bot_id: str, known: list[str]):
        super().__init__(bot_id)
        self.bot_id, self.known = bot_id, known


class UnknownVariant(KeyError):
    def __init__(self, bot_id: str, variant: str, known: list[str]):
        super().__init__(variant)
        self.bot_id, self.variant, self.known = bot_id, variant, known


class Dialogue:
    def __init__(
        self,
        bots: BotRepository,
        engine: Engine,
        conversations: Conversations,
        leads: LeadCapture | None = None,
        assignments: Assignments | None = None,
        events: EventLog | None = None,
        *,
        log_salt: str,
        knowledge: KnowledgeBases | None = None,
    ):
        """`log_salt`: this install's secret that people's ids are hashed with in logs."""
        self.knowledge = knowledge
        self.bots = bots
        self.engine = engine
        self.conversations = conversations
        self.leads = leads
        self.assignments = assignments
        self.events = events
        self.log_salt = log_salt

    def spec(self, bot_id: str) -> BotSpec:
        try:
            return self.bots.load(bot_id)
        except KeyError:
            raise UnknownBot(bot_id, self.bots.ids()) from None

    def resolve(
        self, bot_id: str, variant: str | None = None, *, spec: BotSpec | None = None
    ) -> ResolvedBot:
        """The bot as `variant` has it; `spec`: the bot's spec, when the caller has it."""
        spec = spec or self.spec(bot_id)
        try:
            return spec.resolve(variant)
        except KeyError:
            raise UnknownVariant(bot_id, variant or "", spec.variant_ids()) from None

    def greet(self, bot_id: str, conversation: str, variant: str | None = None) -> str | None:
        """The greeting, said (and remembered) only when a conversation starts."""
        spec = self.spec(bot_id)
        if variant is None and self.assignments is not None:
            variant = self.assignments.variant_for(spec, conversation)
        bot = self.resolve(bot_id, variant, spec=spec)
        if not bot.greeting or self.conversations.history(bot_id, conversation, limit=1):
            return None
        self.conversations.append(
            bot_id, conversation, [Turn("assistant", bot.greeting)], variant=bot.variant_id
        )
        self._event(bot_id, STARTED, conversation, bot.variant_id)
        return bot.greeting

    def feedback(
        self,
        bot_id: str,
        user: str,
        value: int,
        reply_id: str = "",
        source: str = "wecom",
        variant: str | None = None,
    ) -> None:
        """👍 (+1), 👎 (-1) or withdrawn (0) on a reply, counted for the person's variant."""
        spec = self.spec(bot_id)
        if variant is None and self.assignments is not None:
            variant = self.assignments.recorded(spec, user)
        payload = {"value": value, "reply": reply_id, "source": source}
        self._event(bot_id, FEEDBACK, user, variant, payload)

    def _event(
        self,
        bot_id: str,
        kind: str,
        user: str,
        variant: str | None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        if self.events is not None:
            self.events.record(bot_id, kind, user, payload, variant=variant)

    def reply(
        self,
        bot_id: str,
        conversation: str,
        message: str,
        variant: str | None = None,
        user: str | None = None,
        *,
        spec: BotSpec | None = None,
        history: list[Turn] | None = None,
        settings: dict[str, Any] | None = None,
        note: str = "",
    ) -> Reply:
        """`user` is who wrote (in a group, the member); the conversation is the chat.
        Without an explicit `variant`, the person gets their A/B variant (sticky).
        `spec`: the bot's spec, when the caller has loaded it (it is read once).
        A caller on the line (the API) may send `history` (instead of the bot's memory),
        `settings` (max_tokens, temperature, a pinned variant; checked by the caller) and
        `note` (its own instructions, where the bot allows them)."""
        settings = dict(settings or {})
        variant = variant or settings.pop("variant", None)
        spec = spec or self.spec(bot_id)
        if variant is None and self.assignments is not None:
            variant = self.assignments.variant_for(spec, user or conversation)
        started_at = time.monotonic()
        person = user or conversation
        bot = self.resolve(bot_id, variant, spec=spec)
        if settings:
            bot = replace(bot, model=bot.model.model_copy(update=settings))
        if history is None:
            history = self.conversations.history(bot_id, conversation)
        if not history:
            self._event(bot_id, STARTED, person, bot.variant_id)
        guard = WordGuard(bot.safety.blocked_words) if bot.safety.blocked_words else None
        if guard is not None and guard.hit(message):
            # a blocked word on the way in: the model never sees it, the person gets the
            # bot's blocked_reply, and nothing is taken as lead data
            log.info(
                "bot %s: blocked word in a message from %s",
                bot_id,
                mask_user(person, self.log_salt),
            )
            said = bot.safety.blocked_reply
            return self._fixed_reply(bot, conversation, message, said, person, started_at)
        turn = 1 + sum(1 for turn in history if turn.role == "user")
        lead, lead_note = None, ""
        if self.leads is not None:
            lead = self.leads.observe(spec, person, conversation, message, variant=bot.variant_id)
            if lead is not None:
                lead_note = self.leads.turn_note(spec, lead.lead)
                for key in lead.captured:
                    self._event(bot_id, FIELD, person, bot.variant_id, {"key": key})
                if lead.converted_now:
                    self._event(bot_id, CONVERTED, person, bot.variant_id, {"turn": turn})
        decision = self.faq_decision(spec, bot, history, message)
        if decision.kind in (ANSWER, ASK) and decision.best is not None:
            said = (
                decision.best.entry.answer
                if decision.kind == ANSWER
                else which_did_you_mean(decision.matches, bot.language)
            )
            return self._fixed_reply(
                bot,
                conversation,
                message,
                said,
                person,
                started_at,
                lead=lead,
                turn=turn,
                faq=decision,
            )
        gave_details = lead is not None and bool(lead.captured)  # a phone number is no question
        if worth_keeping(message) and not gave_details and not person.startswith(TRY_OUT):
            self._event(bot_id, UNANSWERED, person, bot.variant_id, {"text": message[:300]})
        hits = self.passages(spec, message)
        hint = decision.best if decision.kind == HINT else None
        parts = (
            note_from_caller(note, bot.language),
            reference_note(hits, hint, bot.language),
            lead_note,
        )
        note = "\n\n".join(n for n in parts if n)
        prompt = build_prompt(
            bot, history, message, count_tokens=self.engine.token_counter(bot.model), turn_note=note
        )
        generation = self.engine.generate(
            bot.model, prompt.messages, pinned=prompt.pinned, max_tokens=prompt.reply_budget
        )
        hidden = HiddenTextGuard(note, bot.language) if note else None
        return Reply(
            bot,
            prompt,
            generation,
            conversation,
            message,
            self.conversations,
            lead,
            user=person,
            turn=turn,
            events=self.events,
            started_at=started_at,
            guard=guard,
            log_salt=self.log_salt,
            hidden=hidden,
            passages=hits,
        )

    def _fixed_reply(
        self,
        bot: ResolvedBot,
        conversation: str,
        message: str,
        said: str,
        user: str,
        started_at: float,
        *,
        lead: Observation | None = None,
        turn: int = 1,
        faq: FaqDecision | None = None,
    ) -> Reply:
        """A reply said at once, without the model: a blocked word's, or the FAQ's."""
        return Reply(
            bot,
            BuiltPrompt([], 0, 0, 0, 0, 0),
            Generation(iter([said]), GenerationStats(), ""),
            conversation,
            message,
            self.conversations,
            lead,
            user=user,
            turn=turn,
            events=self.events,
            started_at=started_at,
            log_salt=self.log_salt,
            faq=faq,
        )

    def passages(self, spec: BotSpec, message: str) -> list[Hit]:
        """The knowledge base's passages for `message` (none without documents)."""
        settings = spec.knowledge_base
        if self.knowledge is None or settings.top_k == 0:
            return []
        return self.knowledge.of(spec.id).search(message, settings.top_k, settings.min_score)

    def matcher(self, spec: BotSpec) -> FaqMatcher:
        """The bot's FAQ, matched: built again only when the FAQ changed."""
        return matcher_for(spec.faq.entries)

    def faq_decision(
        self, spec: BotSpec, bot: ResolvedBot, history: list[Turn], message: str
    ) -> FaqDecision:
        """What the FAQ says to `message`: a "2" after our "which one did you mean?" picks
        the second question offered (read back from the history)."""
        if not spec.faq.entries:
            return FaqDecision(NONE)
        matcher = self.matcher(spec)
        last = next((turn.content for turn in reversed(history) if turn.role == "assistant"), "")
        offered = offered_questions(last, bot.language)
        picked = chosen(message, offered) if offered else None
        entry = matcher.by_question(offered[picked]) if picked is not None else None
        if entry is not None:
            return FaqDecision(ANSWER, [FaqMatch(entry, 1.0, entry.question)])
        return matcher.decide(spec.faq, message)

    def preview(
        self, bot_id: str, message: str, variant: str | None = None, model_file: str | None = None
    ) -> tuple[ResolvedBot, BuiltPrompt, Generation]:
        """A reply with no history and no memory, optionally on another model (a file, or
        "endpoint:NAME" for a model served elsewhere): for comparing."""
        spec = self.spec(bot_id)
        bot = self.resolve(bot_id, variant, spec=spec)
        if model_file:
            kind, _, name = model_file.partition(":")
            other = (
                {"endpoint": name, "name": None}
                if kind == "endpoint" and name
                else {"file": model_file, "endpoint": None, "name": None}
            )
            bot = replace(bot, model=bot.model.model_copy(update=other))
        note = reference_note(self.passages(spec, message), None, bot.language)
        prompt = build_prompt(
            bot, [], message, count_tokens=self.engine.token_counter(bot.model), turn_note=note
        )
        generation = self.engine.generate(
            bot.model, prompt.messages, pinned=prompt.pinned, max_tokens=prompt.reply_budget
        )
        return bot, prompt, generation

    def reset(self, bot_id: str, conversation: str, *, spec: BotSpec | None = None) -> int:
        if spec is None:
            self.spec(bot_id)  # an unknown bot is an error, not a silent no-op
        return self.conversations.reset(bot_id, conversation)

    def set_aside(self, bot_id: str, conversation: str) -> str | None:
        """Start `conversation` afresh without forgetting it: its messages move to
        `<conversation>#1` (#2, … the first free id), and so does a lead captured from
        them, still pointing at them. Returns the new id, or None with nothing said yet.
        (The studio's 清空对话: a lead's evidence is never erased by a try-out reset.)"""
        self.spec(bot_id)
        journal = self.conversations.journal
        leads = self.leads.store if self.leads is not None else LeadStore(journal)
        with journal.transaction() as db:
            if not self.conversations.said(bot_id, conversation, db):
                return None
            number = 1
            kept = f"{conversation}#{number}"
            while self.conversations.said(bot_id, kept, db) or leads.mentions(bot_id, kept, db):
                number += 1
                kept = f"{conversation}#{number}"
            self.conversations.move(bot_id, conversation, kept, db)
            leads.follow(bot_id, conversation, kept, db)
            return kept
