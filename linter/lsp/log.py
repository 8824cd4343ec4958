"""Problems the user should know about, said once: a file that crashes the
analysis is linted again on every keystroke, and a broken configuration is
read again for every document."""
from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer


class Log:
    def __init__(self, server: LanguageServer) -> None:
        self.server = server
        self._said: set[str] = set()

    def error_once(self, message: str, *, key: str = "", show: bool = False) -> None:
        """To the client's log (and, with `show`, as a message the user sees);
        `key` names the problem when the message differs between occurrences."""
        key = key or message
        if key in self._said:
            return
        self._said.add(key)
        self.server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
        if show:
            self.server.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message.splitlines()[0]))
