"""VKScript, the language of `execute`: a tokenizer, a recursive-descent parser and an evaluator."""

from devtools.vk_emulator.vkscript.interpreter import Interpreter, ScriptRuntimeError
from devtools.vk_emulator.vkscript.lexer import CompileError
from devtools.vk_emulator.vkscript.parser import parse

__all__ = ["CompileError", "Interpreter", "ScriptRuntimeError", "parse"]
