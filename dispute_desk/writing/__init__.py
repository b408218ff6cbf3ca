"""Optional written answers from a LangChain chat model, grounded in the retrieved passages and checked in code."""

from dispute_desk.writing.check import Verdict, check, figures
from dispute_desk.writing.model import WriterUnavailable
from dispute_desk.writing.prompt import REFUSAL_MARKER, WritingPrompt
from dispute_desk.writing.writer import LlmWriter, Writer, WriterStats, build_writer

__all__ = [
    "REFUSAL_MARKER",
    "LlmWriter",
    "Verdict",
    "Writer",
    "WriterStats",
    "WriterUnavailable",
    "WritingPrompt",
    "build_writer",
    "check",
    "figures",
]
