"""Recursive-descent parser for the VKScript subset real clients send to `execute`.

Precedence, lowest first: assignment, `?:`, `||`, `&&`, equality, comparison, `+ -`, `* / %`,
unary `! - +`, postfix (`.name`, `[i]`, `@.name`, calls). Semicolons are optional, as minified
client scripts rely on. `API.a.b(...)` is an API call; the only plain functions are parseInt and
parseDouble; there are no user-defined functions in VKScript.
"""

from __future__ import annotations

from devtools.vk_emulator.vkscript import ast
from devtools.vk_emulator.vkscript.lexer import CompileError, Token, tokenize

FUNCTIONS = frozenset({"parseInt", "parseDouble"})
_KEYWORDS = frozenset({"var", "return", "if", "else", "while", "delete", "true", "false", "null"})
_ASSIGN_OPS = ("=", "+=", "-=", "*=", "/=")
_EQUALITY = ("==", "!=", "===", "!==")
_RELATIONAL = ("<", ">", "<=", ">=")


def parse(source: str) -> ast.Block:
    """Parse a whole program; raises CompileError (VK error 12) on bad syntax."""
    return _Parser(source).program()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0

    # ---- token helpers -----------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.value in ops

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "name" and tok.value == word

    def accept(self, op: str) -> bool:
        if self.is_op(op):
            self.i += 1
            return True
        return False

    def expect(self, op: str) -> None:
        if not self.accept(op):
            raise self.error(f"'{op}' expected")

    def expect_name(self) -> str:
        tok = self.peek()
        if tok.kind != "name":
            raise self.error("name expected")
        self.i += 1
        return tok.value

    def error(self, message: str) -> CompileError:
        tok = self.peek()
        found = "end of code" if tok.kind == "eof" else f"'{tok.value}'"
        return CompileError(f"{message}, {found} found", self.source, tok.pos)

    # ---- statements --------------------------------------------------------------------------

    def program(self) -> ast.Block:
        body: list[ast.Node] = []
        while self.peek().kind != "eof":
            body.append(self.statement())
        return ast.Block(tuple(body))

    def statement(self) -> ast.Node:
        if self.accept(";"):
            return ast.Block(())
        if self.is_op("{"):
            return self.block()
        if self.peek().kind == "name":
            word = self.peek().value
            if word == "var":
                return self.var_decl()
            if word == "return":
                self.advance()
                value = None if self.is_op(";", "}") or self.peek().kind == "eof" else self.expression()
                self.accept(";")
                return ast.Return(value)
            if word == "if":
                self.advance()
                self.expect("(")
                test = self.expression()
                self.expect(")")
                then = self.statement()
                otherwise = None
                if self.is_word("else"):
                    self.advance()
                    otherwise = self.statement()
                return ast.If(test, then, otherwise)
            if word == "while":
                self.advance()
                self.expect("(")
                test = self.expression()
                self.expect(")")
                return ast.While(test, self.statement())
            if word == "delete":
                self.advance()
                target = self.unary()
                if not isinstance(target, ast.Member | ast.Index):
                    raise self.error("field or element expected after delete")
                self.accept(";")
                return ast.Delete(target)
            if word in ("else", "for", "function", "do", "switch"):
                raise self.error(f"'{word}' is not supported")
        expr = self.expression()
        self.accept(";")
        return ast.ExprStmt(expr)

    def block(self) -> ast.Block:
        self.expect("{")
        body: list[ast.Node] = []
        while not self.is_op("}"):
            if self.peek().kind == "eof":
                raise self.error("'}' expected")
            body.append(self.statement())
        self.advance()
        return ast.Block(tuple(body))

    def var_decl(self) -> ast.VarDecl:
        self.advance()
        decls: list[tuple[str, ast.Node | None]] = []
        while True:
            name = self.expect_name()
            if name in _KEYWORDS or name in ("API", "Args"):
                raise self.error(f"'{name}' cannot be a variable name")
            init = self.assignment() if self.accept("=") else None
            decls.append((name, init))
            if not self.accept(","):
                break
        self.accept(";")
        return ast.VarDecl(tuple(decls))

    # ---- expressions -------------------------------------------------------------------------

    def expression(self) -> ast.Node:
        return self.assignment()

    def assignment(self) -> ast.Node:
        left = self.conditional()
        if self.is_op(*_ASSIGN_OPS):
            if not isinstance(left, ast.Name | ast.Member | ast.Index) or (
                isinstance(left, ast.Name) and left.name in ("API", "Args")
            ):
                raise self.error("invalid assignment target")
            op = self.advance().value
            return ast.Assign(left, op, self.assignment())
        return left

    def conditional(self) -> ast.Node:
        test = self.logical_or()
        if self.accept("?"):
            then = self.assignment()
            self.expect(":")
            return ast.Conditional(test, then, self.assignment())
        return test

    def logical_or(self) -> ast.Node:
        left = self.logical_and()
        while self.accept("||"):
            left = ast.Logical("||", left, self.logical_and())
        return left

    def logical_and(self) -> ast.Node:
        left = self.equality()
        while self.accept("&&"):
            left = ast.Logical("&&", left, self.equality())
        return left

    def equality(self) -> ast.Node:
        left = self.relational()
        while self.is_op(*_EQUALITY):
            op = self.advance().value
            left = ast.Binary(op[:2], left, self.relational())
        return left

    def relational(self) -> ast.Node:
        left = self.additive()
        while self.is_op(*_RELATIONAL):
            op = self.advance().value
            left = ast.Binary(op, left, self.additive())
        return left

    def additive(self) -> ast.Node:
        left = self.multiplicative()
        while self.is_op("+", "-"):
            op = self.advance().value
            left = ast.Binary(op, left, self.multiplicative())
        return left

    def multiplicative(self) -> ast.Node:
        left = self.unary()
        while self.is_op("*", "/", "%"):
            op = self.advance().value
            left = ast.Binary(op, left, self.unary())
        return left

    def unary(self) -> ast.Node:
        if self.is_op("!", "-", "+"):
            op = self.advance().value
            return ast.Unary(op, self.unary())
        return self.postfix()

    def postfix(self) -> ast.Node:
        node = self.api_call() if self.is_word("API") else self.primary()
        while True:
            if self.accept("."):
                name = self.expect_name()
                is_call = self.is_op("(")
                node = ast.MethodCall(node, name, self.call_args()) if is_call else ast.Member(node, name)
            elif self.accept("["):
                index = self.expression()
                self.expect("]")
                node = ast.Index(node, index)
            elif self.accept("@."):
                node = ast.Projection(node, self.expect_name())
            else:
                return node

    def api_call(self) -> ast.ApiCall:
        self.advance()
        parts: list[str] = []
        while self.accept("."):
            parts.append(self.expect_name())
        if len(parts) < 2 or not self.is_op("("):
            raise self.error("API method call expected")
        return ast.ApiCall(".".join(parts), self.call_args())

    def call_args(self) -> tuple[ast.Node, ...]:
        self.expect("(")
        args: list[ast.Node] = []
        while not self.is_op(")"):
            args.append(self.assignment())
            if not self.accept(","):
                break
        self.expect(")")
        return tuple(args)

    def primary(self) -> ast.Node:
        tok = self.peek()
        if tok.kind == "num":
            self.advance()
            is_float = "." in tok.value or "e" in tok.value.lower()
            return ast.Literal(float(tok.value) if is_float else int(tok.value))
        if tok.kind == "str":
            self.advance()
            return ast.Literal(tok.value)
        if tok.kind == "name":
            return self.primary_name()
        if self.accept("("):
            inner = self.expression()
            self.expect(")")
            return inner
        if self.accept("["):
            items: list[ast.Node] = []
            while not self.is_op("]"):
                items.append(self.assignment())
                if not self.accept(","):
                    break
            self.expect("]")
            return ast.ArrayLit(tuple(items))
        if self.is_op("{"):
            return self.object_literal()
        raise self.error("expression expected")

    def primary_name(self) -> ast.Node:
        word = self.advance().value
        if word in ("true", "false"):
            return ast.Literal(word == "true")
        if word == "null":
            return ast.Literal(None)
        if word in _KEYWORDS:
            self.i -= 1
            raise self.error("expression expected")
        if self.is_op("("):
            if word not in FUNCTIONS:
                self.i -= 1
                raise self.error(f"unknown function '{word}'")
            return ast.FuncCall(word, self.call_args())
        return ast.Name(word)

    def object_literal(self) -> ast.ObjectLit:
        self.expect("{")
        pairs: list[tuple[str, ast.Node]] = []
        while not self.is_op("}"):
            tok = self.peek()
            if tok.kind not in ("name", "str", "num"):
                raise self.error("property name expected")
            self.advance()
            self.expect(":")
            pairs.append((tok.value, self.assignment()))
            if not self.accept(","):
                break
        self.expect("}")
        return ast.ObjectLit(tuple(pairs))
