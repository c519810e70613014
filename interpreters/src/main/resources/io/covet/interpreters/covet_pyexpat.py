# pyexpat, in Python, served by covet_stdlib.py's finder in every interpreter: the sandbox cannot
# load GraalPy's native one, which has no limit on entity expansion anyway. It follows expat 2.5's behaviour as CPython exposes it: an
# incremental parser (Parse(data, isfinal) calls the handlers for what has arrived), namespaces,
# internal DTD entities with expat's amplification limit, the error codes and messages, positions.
#
# Not here: external entities and the external DTD subset are never fetched or parsed
# (ExternalEntityRefHandler is called, as expat does); NotationDeclHandler is not called; byte
# indexes (CurrentByteIndex, ErrorByteIndex) are -1.
import codecs
import re
import sys
import types

EXPAT_VERSION = 'expat_2.5.0'
version_info = (2, 5, 0)
native_encoding = 'UTF-8'
features = [('sizeof(XML_Char)', 1), ('sizeof(XML_LChar)', 1), ('XML_DTD', 0), ('XML_CONTEXT_BYTES', 1024),
            ('XML_NS', 0), ('XML_BLAP_MAX_AMP', 100), ('XML_BLAP_ACT_THRES', 8388608)]
XML_PARAM_ENTITY_PARSING_NEVER = 0
XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE = 1
XML_PARAM_ENTITY_PARSING_ALWAYS = 2

_MESSAGES = [None, 'out of memory', 'syntax error', 'no element found', 'not well-formed (invalid token)',
             'unclosed token', 'partial character', 'mismatched tag', 'duplicate attribute',
             'junk after document element', 'illegal parameter entity reference', 'undefined entity',
             'recursive entity reference', 'asynchronous entity', 'reference to invalid character number',
             'reference to binary entity', 'reference to external entity in attribute',
             'XML or text declaration not at start of entity', 'unknown encoding',
             'encoding specified in XML declaration is incorrect', 'unclosed CDATA section',
             'error in processing external entity reference', 'document is not standalone',
             'unexpected parser state - please send a bug report', 'entity declared in parameter entity',
             'requested feature requires XML_DTD support in Expat', 'cannot change setting once parsing has begun',
             'unbound prefix', 'must not undeclare prefix', 'incomplete markup in parameter entity',
             'XML declaration not well-formed', 'text declaration not well-formed',
             'illegal character(s) in public id', 'parser suspended', 'parser not suspended', 'parsing aborted',
             'parsing finished', 'cannot suspend in external parameter entity',
             'reserved prefix (xml) must not be undeclared or bound to another namespace name',
             'reserved prefix (xmlns) must not be declared or undeclared',
             'prefix must not be bound to one of the reserved namespace names', 'invalid argument',
             'a successful prior call to function XML_GetBuffer is required',
             'limit on input amplification factor (from DTD and entities) breached']
_NAMES = [None, 'NO_MEMORY', 'SYNTAX', 'NO_ELEMENTS', 'INVALID_TOKEN', 'UNCLOSED_TOKEN', 'PARTIAL_CHAR',
          'TAG_MISMATCH', 'DUPLICATE_ATTRIBUTE', 'JUNK_AFTER_DOC_ELEMENT', 'PARAM_ENTITY_REF', 'UNDEFINED_ENTITY',
          'RECURSIVE_ENTITY_REF', 'ASYNC_ENTITY', 'BAD_CHAR_REF', 'BINARY_ENTITY_REF',
          'ATTRIBUTE_EXTERNAL_ENTITY_REF', 'MISPLACED_XML_PI', 'UNKNOWN_ENCODING', 'INCORRECT_ENCODING',
          'UNCLOSED_CDATA_SECTION', 'EXTERNAL_ENTITY_HANDLING', 'NOT_STANDALONE', 'UNEXPECTED_STATE',
          'ENTITY_DECLARED_IN_PE', 'FEATURE_REQUIRES_XML_DTD', 'CANT_CHANGE_FEATURE_ONCE_PARSING',
          'UNBOUND_PREFIX', 'UNDECLARING_PREFIX', 'INCOMPLETE_PE', 'XML_DECL', 'TEXT_DECL', 'PUBLICID',
          'SUSPENDED', 'NOT_SUSPENDED', 'ABORTED', 'FINISHED', 'SUSPEND_PE', 'RESERVED_PREFIX_XML',
          'RESERVED_PREFIX_XMLNS', 'RESERVED_NAMESPACE_URI', 'INVALID_ARGUMENT', 'NO_BUFFER',
          'AMPLIFICATION_LIMIT_BREACH']
(SYNTAX, NO_ELEMENTS, INVALID_TOKEN, UNCLOSED_TOKEN, PARTIAL_CHAR, TAG_MISMATCH, DUPLICATE_ATTRIBUTE,
 JUNK_AFTER_DOC_ELEMENT) = range(2, 10)
UNDEFINED_ENTITY, RECURSIVE_ENTITY_REF, BAD_CHAR_REF, BINARY_ENTITY_REF, ATTRIBUTE_EXTERNAL_ENTITY_REF = 11, 12, 14, 15, 16
MISPLACED_XML_PI, UNKNOWN_ENCODING, UNCLOSED_CDATA_SECTION, UNBOUND_PREFIX, XML_DECL = 17, 18, 20, 27, 30
FINISHED, AMPLIFICATION_LIMIT_BREACH = 36, 43

errors = types.ModuleType('pyexpat.errors', 'Constants used to describe error conditions.')
errors.codes = {message: code for code, message in enumerate(_MESSAGES) if message}
errors.messages = {code: message for code, message in enumerate(_MESSAGES) if message}
for _code, _name in enumerate(_NAMES):
    if _name:
        setattr(errors, 'XML_ERROR_' + _name, _MESSAGES[_code])
model = types.ModuleType('pyexpat.model', 'Constants used to interpret content model information.')
for _name, _value in (('XML_CTYPE_EMPTY', 1), ('XML_CTYPE_ANY', 2), ('XML_CTYPE_MIXED', 3), ('XML_CTYPE_NAME', 4),
                      ('XML_CTYPE_CHOICE', 5), ('XML_CTYPE_SEQ', 6), ('XML_CQUANT_NONE', 0), ('XML_CQUANT_OPT', 1),
                      ('XML_CQUANT_REP', 2), ('XML_CQUANT_PLUS', 3)):
    setattr(model, _name, _value)
sys.modules.setdefault('pyexpat.errors', errors)
sys.modules.setdefault('pyexpat.model', model)


class ExpatError(Exception):
    pass


error = ExpatError


def ErrorString(code):
    """Returns string error for given number."""
    return _MESSAGES[code] if 0 < code < len(_MESSAGES) else None


_NAME_START = ('A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d'
               '\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff')
_NAME_CHARS = _NAME_START + r'\-.0-9\u00b7\u0300-\u036f\u203f-\u2040'
_NAME = re.compile(f'[:{_NAME_START}][:{_NAME_CHARS}]*')
_SPACE = re.compile(r'[ \t\n]*')
_INVALID_CHAR = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]')
_XML_NS = 'http://www.w3.org/XML/1998/namespace'
_XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
_PREDEFINED = {'lt': '<', 'gt': '>', 'amp': '&', 'apos': "'", 'quot': '"'}
_AMPLIFICATION_THRESHOLD = 8388608
_AMPLIFICATION_FACTOR = 100.0
_HANDLERS = ('StartElementHandler', 'EndElementHandler', 'ProcessingInstructionHandler', 'CharacterDataHandler',
             'UnparsedEntityDeclHandler', 'NotationDeclHandler', 'StartNamespaceDeclHandler',
             'EndNamespaceDeclHandler', 'CommentHandler', 'StartCdataSectionHandler', 'EndCdataSectionHandler',
             'DefaultHandler', 'DefaultHandlerExpand', 'NotStandaloneHandler', 'ExternalEntityRefHandler',
             'StartDoctypeDeclHandler', 'EndDoctypeDeclHandler', 'EntityDeclHandler', 'XmlDeclHandler',
             'ElementDeclHandler', 'AttlistDeclHandler', 'SkippedEntityHandler')


class _Stop(Exception):
    """Raised inside the tokenizer when the construct at hand has not fully arrived."""


class _Entity:
    __slots__ = ('value', 'system', 'public', 'notation', 'open')

    def __init__(self, value=None, system=None, public=None, notation=None):
        self.value, self.system, self.public, self.notation, self.open = value, system, public, notation, False


class XMLParserType:
    """XML parser"""

    def __init__(self, encoding, separator, intern):
        for name in _HANDLERS:
            object.__setattr__(self, name, None)
        self._encoding = encoding
        self._separator = separator
        self.intern = intern
        self.buffer_text = False
        self.buffer_size = 8192
        self.ordered_attributes = False
        self.specified_attributes = False
        self.namespace_prefixes = False
        self.ErrorCode = 0
        self.ErrorLineNumber = 1
        self.ErrorColumnNumber = 0
        self.ErrorByteIndex = -1
        self._base = None
        self._raw = b''            # bytes not yet decoded (encoding not yet known)
        self._decoder = None
        self._text = ''            # decoded, newline-normalised text not yet consumed
        self._cr = False           # the data so far ended with a CR, not yet normalised
        self._doctype_seen = False
        self._in_cdata = False
        self._line, self._col = 1, 0
        self._state = 'prolog'     # prolog, content, epilog
        self._started = False      # anything consumed yet (for the XML declaration's place)
        self._stack = []           # open elements: (name as written, namespace bindings added)
        self._ns = [{'xml': _XML_NS}]
        self._entities = {}
        self._attdefaults = {}
        self._chars = []           # buffered character data
        self._finished = False
        self._input = 0
        self._expanded = 0

    # ---- settings that are plain attributes in CPython, checked --------------------------------

    def __setattr__(self, name, value):
        if name == 'buffer_size':
            if not isinstance(value, int):
                raise TypeError('buffer_size must be an integer')
            if value <= 0:
                raise ValueError('buffer_size must be greater than zero')
        if name == 'buffer_text' and not value and getattr(self, '_chars', None):
            self._flush()
        if name in ('buffer_text', 'ordered_attributes', 'specified_attributes', 'namespace_prefixes'):
            value = bool(value)
        object.__setattr__(self, name, value)

    @property
    def buffer_used(self):
        return sum(len(c.encode('utf-8')) for c in self._chars)

    @property
    def CurrentLineNumber(self):
        return self._line

    @property
    def CurrentColumnNumber(self):
        return self._col

    @property
    def CurrentByteIndex(self):
        return -1

    def SetBase(self, base):
        self._base = base

    def GetBase(self):
        return self._base

    def GetInputContext(self):
        return None

    def SetParamEntityParsing(self, flag):
        return 1

    def UseForeignDTD(self, flag=True):
        pass

    def GetReparseDeferralEnabled(self):
        return False

    def SetReparseDeferralEnabled(self, enabled):
        pass

    def ExternalEntityParserCreate(self, context, encoding=None):
        child = XMLParserType(encoding, self._separator, self.intern)
        for name in _HANDLERS:
            object.__setattr__(child, name, getattr(self, name))
        child._entities = self._entities
        child._state = 'content'
        return child

    # ---- feeding ---------------------------------------------------------------------------

    def Parse(self, data, isfinal=False):
        """Parse XML data. `isfinal' should be true at end of input."""
        if self._finished:
            self._fail(FINISHED, 0)
        if isinstance(data, str):
            self._encoding = 'utf-8'
            data = data.encode('utf-8', 'surrogatepass')
        elif not isinstance(data, (bytes, bytearray)):
            data = bytes(memoryview(data))
        self._decode(bytes(data), bool(isfinal))
        if isfinal and self._cr:
            self._text += '\n'
            self._cr = False
        self._run(bool(isfinal))
        self._flush()
        if isfinal:
            self._finished = True
        return 1

    def ParseFile(self, file):
        """Parse XML data from file-like object."""
        read = file.read
        while True:
            data = read(self.buffer_size if self.buffer_size > 2048 else 2048)
            if not isinstance(data, (bytes, bytearray, str)):
                raise TypeError(f"read() did not return a bytes object (type={type(data).__name__})")
            if not data:
                return self.Parse(b'', True)
            self.Parse(data, False)

    def _decode(self, data, final):
        if self._decoder is None:
            self._raw += data
            encoding = self._encoding or self._sniff(final)
            if encoding is None:
                return
            try:
                self._decoder = codecs.getincrementaldecoder(encoding)('strict')
            except LookupError:
                self._fail(UNKNOWN_ENCODING, 0)
            data, self._raw = self._raw, b''
        try:
            text = self._decoder.decode(data, final)
        except UnicodeDecodeError:
            self._fail(INVALID_TOKEN, len(self._text))
        if self._cr:
            text = '\r' + text
            self._cr = False
        if text.endswith('\r') and not final:
            text, self._cr = text[:-1], True   # a '\n' may follow in the next data
        self._text += text.replace('\r\n', '\n').replace('\r', '\n')

    def _sniff(self, final):
        raw = self._raw
        if raw.startswith(codecs.BOM_UTF8):
            self._raw = raw[3:]
            return 'utf-8'
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return 'utf-16'
        if raw.startswith(b'<\x00?\x00'):
            return 'utf-16-le'
        if raw.startswith(b'\x00<\x00?'):
            return 'utf-16-be'
        if raw.startswith(b'<?xml') or (b'<?xml'.startswith(raw) and not final):
            end = raw.find(b'?>')
            if end < 0:
                return None if not final and len(raw) < 1024 else 'utf-8'
            m = re.search(rb'''encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']''', raw[:end])
            if m:
                name = m.group(1).decode('ascii')
                try:
                    codecs.lookup(name)
                except LookupError:
                    self._fail(UNKNOWN_ENCODING, 0)
                return name
        return 'utf-8'

    # ---- errors and positions ---------------------------------------------------------------

    def _where(self, index):
        """Line and column of self._text[index] (index may run past the consumed point)."""
        segment = self._text[:index]
        lines = segment.count('\n')
        if lines:
            return self._line + lines, index - segment.rfind('\n') - 1
        return self._line, self._col + index

    def _fail(self, code, index):
        self._chars = []   # as expat: character data not yet reported is lost with the error
        line, col = self._where(index)
        self.ErrorCode, self.ErrorLineNumber, self.ErrorColumnNumber = code, line, col
        self._finished = True
        err = ExpatError(f"{_MESSAGES[code]}: line {line}, column {col}")
        err.code, err.lineno, err.offset = code, line, col
        raise err

    def _consume(self, end):
        segment = self._text[:end]
        lines = segment.count('\n')
        if lines:
            self._line += lines
            self._col = end - segment.rfind('\n') - 1
        else:
            self._col += end
        self._input += end
        self._text = self._text[end:]
        self._started = True

    # ---- the tokenizer ----------------------------------------------------------------------

    def _run(self, final):
        bad = _INVALID_CHAR.search(self._text)
        limit = bad.start() if bad else len(self._text)
        while True:
            text = self._text
            if bad is None:
                limit = len(text)
            try:
                progressed = self._step(text, limit, final and bad is None)
            except _Stop:
                progressed = False
            if not progressed:
                break
            if bad is not None:
                bad = _INVALID_CHAR.search(self._text)
                limit = bad.start() if bad else len(self._text)
        if bad is not None and self._text:
            self._fail(INVALID_TOKEN, bad.start())
        if final:
            self._finish()

    def _finish(self):
        if self._in_cdata:
            self._fail(UNCLOSED_CDATA_SECTION, len(self._text))
        text = self._text
        if text:
            if self._state == 'content':
                self._fail(UNCLOSED_TOKEN, 0)
            stripped = len(text) - len(text.lstrip(' \t\n'))
            self._fail(UNCLOSED_TOKEN if text[stripped:stripped + 1] == '<' else SYNTAX, stripped)
        if self._state != 'epilog':
            self._fail(NO_ELEMENTS, 0)

    def _step(self, text, limit, final):
        """Consumes one construct from the start of the text; False if none has fully arrived."""
        if self._in_cdata:
            return self._cdata(text, limit, final)
        if not text or limit == 0:
            return False
        if text[0] == '<':
            return self._markup(text, limit, final)
        if self._state == 'content':
            if text[0] == '&':
                return self._reference(text, limit, final)
            end = _next_markup(text, limit)
            if end == limit and not final and limit == len(text):
                # Text may go on; report what has come (expat does), but a ']' that may start ']]>'.
                while end > 0 and text[end - 1] == ']' and limit - end < 2:
                    end -= 1
                if end == 0:
                    return False
            chunk = text[:end]
            bad = chunk.find(']]>')
            if bad >= 0:
                self._fail(INVALID_TOKEN, bad + 2)
            self._data(chunk)
            self._consume(end)
            return True
        # Prolog or epilog: whitespace only.
        m = _SPACE.match(text, 0, limit)
        if m.end() > 0:
            self._default(text[:m.end()])
            self._consume(m.end())
            return True
        if self._state == 'epilog':
            self._fail(JUNK_AFTER_DOC_ELEMENT, 0)
        if text[0] == '&':
            self._fail(INVALID_TOKEN, 0)
        run = _next_markup(text, limit)
        if run == limit and not final and limit == len(text):
            raise _Stop
        self._fail(INVALID_TOKEN, run)

    def _cdata(self, text, limit, final):
        """A CDATA section's content, reported as it arrives (as expat does), up to its ']]>'."""
        end = text.find(']]>', 0, limit)
        if end < 0:
            if final or limit < len(text):
                self._data(text[:limit])   # reported unless buffered, as expat does
                self._fail(UNCLOSED_CDATA_SECTION, limit)
            end = limit
            while end > 0 and text[end - 1] == ']' and limit - end < 2:
                end -= 1
            if end == 0:
                return False
            self._data(text[:end])
            self._consume(end)
            return True
        self._data(text[:end])
        self._flush()
        if self.EndCdataSectionHandler is not None:
            self.EndCdataSectionHandler()
        self._consume(end + 3)
        self._in_cdata = False
        return True

    def _need(self, text, token, start, limit, final):
        end = text.find(token, start, limit)
        if end < 0:
            if final or limit < len(text):
                self._fail(UNCLOSED_TOKEN, 0)
            raise _Stop
        return end

    def _markup(self, text, limit, final):
        if limit < 2:
            if final or limit < len(text):
                self._fail(UNCLOSED_TOKEN, 0)
            return False
        second = text[1]
        if second == '?':
            return self._pi(text, limit, final)
        if second == '!':
            if limit == len(text) and not final and any(
                    opener.startswith(text[:limit]) and len(opener) > limit for opener in ('<!--', '<![CDATA[', '<!DOCTYPE')):
                raise _Stop   # which of them, the next bytes say
            if text.startswith('<!--', 0, limit):
                end = self._need(text, '-->', 4, limit, final)
                body = text[4:end]
                dash = body.find('--')
                if dash >= 0 or body.endswith('-'):
                    self._fail(INVALID_TOKEN, 4 + (dash if dash >= 0 else len(body) - 1) + 2)
                self._flush()
                if self.CommentHandler is not None:
                    self.CommentHandler(body)
                else:
                    self._default(text[:end + 3])
                self._consume(end + 3)
                return True
            if self._state == 'content' and text.startswith('<![CDATA[', 0, limit):
                self._flush()
                if self.StartCdataSectionHandler is not None:
                    self.StartCdataSectionHandler()
                self._consume(9)
                self._in_cdata = True
                return True
            if self._state == 'prolog' and not self._doctype_seen and text.startswith('<!DOCTYPE', 0, limit):
                return self._doctype(text, limit, final)
            self._fail(SYNTAX if self._state != 'content' else INVALID_TOKEN, 2 if self._state == 'content' else 0)
        if second == '/':
            return self._end_tag(text, limit, final)
        return self._start_tag(text, limit, final)

    def _pi(self, text, limit, final):
        end = self._need(text, '?>', 2, limit, final)
        m = _NAME.match(text, 2, end)
        if not m:
            self._fail(INVALID_TOKEN, 2)
        target = m.group()
        rest = text[m.end():end]
        if rest and rest[0] not in ' \t\n':
            self._fail(INVALID_TOKEN, m.end())
        if target.lower() == 'xml':
            if self._state == 'epilog':
                self._fail(JUNK_AFTER_DOC_ELEMENT, 0)
            if target != 'xml':
                self._fail(INVALID_TOKEN, m.end())   # reserved, in any case
            if self._started or self._state != 'prolog':
                self._fail(MISPLACED_XML_PI, 0)
            self._xml_decl(rest, 0)
            self._consume(end + 2)
            return True
        self._flush()
        if self.ProcessingInstructionHandler is not None:
            self.ProcessingInstructionHandler(target, rest.lstrip(' \t\n'))
        else:
            self._default(text[:end + 2])
        self._consume(end + 2)
        return True

    _PSEUDO = re.compile(r'''([ \t\n]+)([A-Za-z]+)[ \t\n]*=[ \t\n]*(?:"([^"]*)"|'([^']*)')''')

    def _xml_decl(self, rest, at):
        """The XML declaration's pseudo-attributes (rest follows '<?xml', which starts at `at`)."""
        found, i, order = {}, 0, ('version', 'encoding', 'standalone')
        while True:
            m = self._PSEUDO.match(rest, i)
            if not m:
                if rest[i:].strip(' \t\n'):
                    self._fail(XML_DECL, at + 5 + i + len(rest[i:]) - len(rest[i:].lstrip(' \t\n')))
                break
            name, value = m.group(2), m.group(3) if m.group(3) is not None else m.group(4)
            name_at, value_at = at + 5 + m.start(2), at + 5 + m.start(3 if m.group(3) is not None else 4)
            if name not in order or any(order.index(name) <= order.index(k) for k in found) \
                    or (name != 'version' and 'version' not in found):
                self._fail(XML_DECL, name_at)
            if name == 'encoding' and not re.fullmatch(r'[A-Za-z][A-Za-z0-9._-]*', value) \
                    or name == 'standalone' and value not in ('yes', 'no') \
                    or name == 'version' and not re.fullmatch(r'[A-Za-z0-9_.:-]+', value):
                self._fail(XML_DECL, value_at)
            found[name] = value
            i = m.end()
        if 'version' not in found:
            self._fail(XML_DECL, at + 5 + (len(rest) - len(rest.lstrip(' \t\n'))))
        if self.XmlDeclHandler is not None:
            standalone = {'yes': 1, 'no': 0}.get(found.get('standalone'), -1)
            self.XmlDeclHandler(found['version'], found.get('encoding'), standalone)
        elif self.DefaultHandler is not None or self.DefaultHandlerExpand is not None:
            self._default('<?xml' + rest + '?>')

    # ---- DOCTYPE and the internal subset ----------------------------------------------------

    def _doctype(self, text, limit, final):
        end = _doctype_end(text, 9, limit)
        if end < 0:
            if final or limit < len(text):
                self._fail(NO_ELEMENTS, limit)
            raise _Stop
        self._doctype_seen = True
        i = _SPACE.match(text, 9).end()
        m = _NAME.match(text, i, end)
        if i == 9 or not m:
            self._fail(SYNTAX, i)
        name, i = m.group(), m.end()
        system = public = None
        m = re.compile(r'''[ \t\n]+(SYSTEM|PUBLIC)''').match(text, i, end)
        if m:
            i = m.end()
            literal = re.compile(r'''[ \t\n]+("[^"]*"|'[^']*')''')
            if m.group(1) == 'PUBLIC':
                p = literal.match(text, i, end)
                if not p:
                    self._fail(SYNTAX, i)
                public, i = p.group(1)[1:-1], p.end()
            s = literal.match(text, i, end)
            if s:
                system, i = s.group(1)[1:-1], s.end()
            elif public is not None:
                self._fail(SYNTAX, i)
        i = _SPACE.match(text, i, end).end()
        subset = None
        if text[i] == '[':
            close = _subset_end(text, i + 1, end)
            subset = text[i + 1:close]
            i = _SPACE.match(text, close + 1, end).end()
        if i != end:
            self._fail(SYNTAX, i)
        self._flush()
        if self.StartDoctypeDeclHandler is not None:
            self.StartDoctypeDeclHandler(name, system, public, 1 if subset is not None else 0)
        elif self.DefaultHandler is not None or self.DefaultHandlerExpand is not None:
            for piece in re.findall(r'''<!DOCTYPE|[ \t\n]+|"[^"]*"|'[^']*'|\[.*\]|[^ \t\n"'\[]+''', text[:end],
                                    re.S):
                self._default(piece)
        if subset is not None:
            self._subset(subset, text.index('[', 9) + 1)
        if self.EndDoctypeDeclHandler is not None:
            self.EndDoctypeDeclHandler()
        elif self.StartDoctypeDeclHandler is None:
            self._default('>')
        self._consume(end + 1)
        return True

    _ENTITY = re.compile(r'''<!ENTITY[ \t\n]+(%[ \t\n]+)?([^ \t\n]+)[ \t\n]+(?:("[^"]*"|'[^']*')|'''
                         r'''(?:SYSTEM[ \t\n]+("[^"]*"|'[^']*')|PUBLIC[ \t\n]+("[^"]*"|'[^']*')[ \t\n]+("[^"]*"|'[^']*'))'''
                         r'''(?:[ \t\n]+NDATA[ \t\n]+([^ \t\n>]+))?)[ \t\n]*>''')
    _ATTLIST = re.compile(r'''<!ATTLIST[ \t\n]+([^ \t\n]+)((?:[^>"']|"[^"]*"|'[^']*')*)>''')
    _ATTDEF = re.compile(r'''[ \t\n]+([^ \t\n]+)[ \t\n]+(CDATA|ID|IDREF|IDREFS|ENTITY|ENTITIES|NMTOKEN|NMTOKENS|'''
                         r'''NOTATION[ \t\n]*\([^)]*\)|\([^)]*\))[ \t\n]+(#REQUIRED|#IMPLIED|(?:#FIXED[ \t\n]+)?'''
                         r'''("[^"]*"|'[^']*'))''')
    _DECLS = re.compile(r'''<!--.*?-->|<\?.*?\?>|<!(?:[^>"']|"[^"]*"|'[^']*')*>|%[^;]*;|[ \t\n]+''', re.S)

    def _subset(self, subset, offset):
        """The internal subset's declarations; what no handler takes goes to the default handler."""
        i = 0
        while i < len(subset):
            m = self._DECLS.match(subset, i)
            if not m:
                self._fail(SYNTAX, offset + i)
            decl = m.group()
            handled = False
            if decl.startswith('<!ENTITY'):
                handled = self._entity_decl(decl, offset + i)
            elif decl.startswith('<!ATTLIST'):
                a = self._ATTLIST.match(decl)
                if a:
                    for d in self._ATTDEF.finditer(a.group(2)):
                        kind = re.sub(r'[ \t\n]+', '', d.group(2))
                        value = None
                        if d.group(4) is not None:
                            value = self._attribute_value(d.group(4)[1:-1], offset + i, kind != 'CDATA')
                            self._attdefaults.setdefault(a.group(1), {}).setdefault(d.group(1), value)
                        if self.AttlistDeclHandler is not None:
                            required = 1 if d.group(3).startswith(('#REQUIRED', '#FIXED')) else 0
                            self.AttlistDeclHandler(a.group(1), d.group(1), kind, value, required)
                            handled = True
            elif decl.startswith('<!ELEMENT') and self.ElementDeclHandler is not None:
                e = re.match(r'<!ELEMENT[ \t\n]+([^ \t\n]+)[ \t\n]+(.*?)[ \t\n]*>$', decl, re.S)
                if not e:
                    self._fail(SYNTAX, offset + i)
                self.ElementDeclHandler(e.group(1), _content_model(re.sub(r'[ \t\n]+', '', e.group(2))))
                handled = True
            elif decl.startswith('<?') and self.ProcessingInstructionHandler is not None:
                target, _, data = decl[2:-2].partition(' ')
                self.ProcessingInstructionHandler(target, data.lstrip(' \t\n'))
                handled = True
            elif decl.startswith('<!--') and self.CommentHandler is not None:
                self.CommentHandler(decl[4:-3])
                handled = True
            if not handled:
                self._default(decl)
            i = m.end()

    def _entity_decl(self, decl, at):
        m = self._ENTITY.match(decl)
        if not m:
            self._fail(SYNTAX, at)
        parameter, name = m.group(1) is not None, m.group(2)
        if parameter:
            return False
        if name in self._entities:
            return False   # the first declaration binds (XML 1.0, 4.2)
        notation = m.group(7)
        if m.group(3) is not None:
            value = _replace_char_refs(m.group(3)[1:-1])
            self._entities[name] = _Entity(value=value)
            if self.EntityDeclHandler is not None:
                self.EntityDeclHandler(name, 0, value, self._base, None, None, None)
                return True
            return False
        system = (m.group(4) or m.group(6))[1:-1]
        public = m.group(5)[1:-1] if m.group(5) else None
        self._entities[name] = _Entity(system=system, public=public, notation=notation)
        if notation is not None and self.UnparsedEntityDeclHandler is not None:
            self.UnparsedEntityDeclHandler(name, self._base, system, public, notation)
            return True
        if self.EntityDeclHandler is not None:
            self.EntityDeclHandler(name, 0, None, self._base, system, public, notation)
            return True
        return False

    # ---- elements ---------------------------------------------------------------------------

    _ATTR = re.compile(r'''([^ \t\n=/>]+)[ \t\n]*=[ \t\n]*("[^"<]*"|'[^'<]*')''')

    def _start_tag(self, text, limit, final):
        if self._state == 'epilog':
            self._fail(JUNK_AFTER_DOC_ELEMENT, 0)
        if _tag_end(text, 1, limit) < 0:
            if final or limit < len(text):
                self._fail(UNCLOSED_TOKEN, 0)
            raise _Stop
        m = _NAME.match(text, 1, limit)
        if not m:
            self._fail(INVALID_TOKEN, 1)
        name = m.group()
        i = m.end()
        attrs = []
        seen = set()
        while True:
            s = _SPACE.match(text, i, limit).end()
            if s >= limit:
                if final or limit < len(text):
                    self._fail(UNCLOSED_TOKEN, 0)
                raise _Stop
            c = text[s]
            if c == '>' or text.startswith('/>', s):
                close = s
                break
            if c == '/':
                self._fail(INVALID_TOKEN, s + 1)
            if s == i:
                self._fail(INVALID_TOKEN, s)
            a = self._ATTR.match(text, s, limit)
            if not a or not _NAME.fullmatch(a.group(1)):
                quote = re.compile(r'''[^ \t\n=/>]+[ \t\n]*=[ \t\n]*(["'])''').match(text, s, limit)
                if quote and text.find(quote.group(1), quote.end(), limit) < 0:
                    if final or limit < len(text):
                        self._fail(UNCLOSED_TOKEN, 0)
                    raise _Stop
                if quote and '<' in text[quote.end():text.find(quote.group(1), quote.end(), limit)]:
                    self._fail(INVALID_TOKEN, text.index('<', quote.end()))
                self._fail(INVALID_TOKEN, s)
            attname = a.group(1)
            if attname in seen:
                self._fail(DUPLICATE_ATTRIBUTE, s)
            seen.add(attname)
            attrs.append((attname, a.group(2)[1:-1], s + len(attname)))
            i = a.end()
        empty = text.startswith('/>', close)
        end = close + (2 if empty else 1)
        # Values are expanded now: an error in one is the element's.
        values = [(n, self._attribute_value(v, 0, False)) for n, v, at in attrs]
        defaults = self._attdefaults.get(name)
        if defaults and not self.specified_attributes:
            present = {n for n, _ in values}
            values += [(n, v) for n, v in defaults.items() if n not in present]
        self._flush()
        bindings = []
        if self._separator is not None:
            name, values, bindings = self._namespaces(name, values)
        if self.StartElementHandler is not None:
            if self.ordered_attributes:
                flat = []
                for n, v in values:
                    flat += (n, v)
                self.StartElementHandler(name, flat)
            else:
                self.StartElementHandler(name, dict(values))
        elif self.DefaultHandler is not None or self.DefaultHandlerExpand is not None:
            self._default(text[:end])
        self._consume(end)
        self._state = 'content'
        if empty:
            self._close(name, bindings)
        else:
            self._stack.append((m.group(), name, bindings))
        return True

    def _end_tag(self, text, limit, final):
        if self._state != 'content':
            self._fail(SYNTAX if self._state == 'prolog' else JUNK_AFTER_DOC_ELEMENT, 0)
        end = self._need(text, '>', 2, limit, final)
        m = _NAME.match(text, 2, end)
        if not m or text[m.end():end].strip(' \t\n'):
            self._fail(INVALID_TOKEN, 2 if not m else m.end())
        if not self._stack or self._stack[-1][0] != m.group():
            self._fail(TAG_MISMATCH, 2)
        written, name, bindings = self._stack.pop()
        self._flush()
        self._consume(end + 1)
        self._close(name, bindings)
        return True

    def _close(self, name, bindings):
        if self.EndElementHandler is not None:
            self.EndElementHandler(name)
        for prefix in reversed(bindings):
            self._ns.pop()
            if self.EndNamespaceDeclHandler is not None:
                self.EndNamespaceDeclHandler(prefix)
        if not self._stack:
            self._state = 'epilog'

    def _namespaces(self, name, values):
        sep = self._separator
        bindings, rest = [], []
        for n, v in values:
            if n == 'xmlns' or n.startswith('xmlns:'):
                prefix = n[6:] or None
                if prefix == 'xmlns' or v == _XMLNS_NS:
                    self._fail(39 if prefix == 'xmlns' else 40, 0)
                if (prefix == 'xml') != (v == _XML_NS):
                    self._fail(38 if prefix == 'xml' else 40, 0)
                if prefix is not None and v == '':
                    self._fail(28, 0)
                scope = dict(self._ns[-1])
                scope[prefix] = v or None
                self._ns.append(scope)
                bindings.append(prefix)
                if self.StartNamespaceDeclHandler is not None:
                    self.StartNamespaceDeclHandler(prefix, v or None)
            else:
                rest.append((n, v))
        scope = self._ns[-1]

        def resolve(qname, default):
            prefix, colon, local = qname.partition(':')
            if not colon:
                uri = scope.get(None) if default else None
                return qname if uri is None else uri + sep + qname
            if prefix not in scope or scope[prefix] is None:
                self._fail(UNBOUND_PREFIX, 0)
            resolved = scope[prefix] + sep + local
            return resolved + sep + prefix if self.namespace_prefixes else resolved

        resolved = [(resolve(n, False), v) for n, v in rest]
        if len({n for n, _ in resolved}) != len(resolved):
            self._fail(DUPLICATE_ATTRIBUTE, 0)
        return resolve(name, True), resolved, bindings

    # ---- references and character data ------------------------------------------------------

    def _reference(self, text, limit, final):
        end = self._need(text, ';', 1, limit, final)
        body = text[1:end]
        if body.startswith('#'):
            self._data(self._char(body, 0))
        elif _NAME.fullmatch(body):
            self._expand(body, 0)
        else:
            m = _NAME.match(text, 1, end)
            self._fail(INVALID_TOKEN, m.end() if m else 1)
        self._consume(end + 1)
        return True

    def _expand(self, name, at):
        if name in _PREDEFINED:
            self._data(_PREDEFINED[name])
            return
        entity = self._entities.get(name)
        if entity is None:
            self._fail(UNDEFINED_ENTITY, at)
        if entity.notation is not None:
            self._fail(BINARY_ENTITY_REF, at)
        if entity.value is None:
            if self.ExternalEntityRefHandler is not None:
                self._flush()
                if not self.ExternalEntityRefHandler(name, self._base, entity.system, entity.public):
                    self._fail(21, at)
            elif self.SkippedEntityHandler is not None:
                self.SkippedEntityHandler(name, 0)
            return
        if entity.open:
            self._fail(RECURSIVE_ENTITY_REF, at)
        self._amplify(len(entity.value), at)
        entity.open = True
        try:
            self._content(entity.value, at)
        finally:
            entity.open = False

    def _amplify(self, n, at):
        self._expanded += n
        direct = max(1, self._input + len(self._text))
        total = direct + self._expanded
        if total >= _AMPLIFICATION_THRESHOLD and total / direct > _AMPLIFICATION_FACTOR:
            self._fail(AMPLIFICATION_LIMIT_BREACH, at)

    def _content(self, value, at):
        """An internal entity's replacement text, parsed as content where it is referenced."""
        i = 0
        while i < len(value):
            j = _next_markup(value, len(value), i)
            if j > i:
                self._data(value[i:j])
                i = j
                continue
            if value[i] == '&':
                body, c, i = self._reference_in(value, i, at)
                if c is not None:
                    self._data(c)
                else:
                    self._expand(body, at)
                continue
            # Markup inside an entity: elements, comments, PIs: parse with a nested parser's rules.
            end = value.find('>', i)
            if end < 0:
                self._fail(INVALID_TOKEN, at)
            tag = value[i:end + 1]
            saved_text, saved_line, saved_col, saved_input = self._text, self._line, self._col, self._input
            self._text = tag
            try:
                if not self._step(tag, len(tag), True):
                    self._fail(INVALID_TOKEN, 0)
                if self._text:
                    self._fail(INVALID_TOKEN, 0)
            finally:
                consumed = len(tag) - len(self._text)
                self._text, self._line, self._col, self._input = saved_text, saved_line, saved_col, saved_input
            i += consumed if consumed > 0 else len(tag)

    def _reference_in(self, text, amp, at):
        """The reference at text[amp] ('&') of a replacement text or attribute value: (what is
        between '&' and ';', the character a character reference stands for or None, the index after ';')."""
        end = text.find(';', amp)
        if end < 0:
            self._fail(INVALID_TOKEN, at)
        body = text[amp + 1:end]
        return body, self._char(body, at) if body.startswith('#') else None, end + 1

    def _char(self, body, at):
        """The character of a character reference ('#65', '#x41'), or expat's error."""
        c = _char_ref(body)
        if c is None:
            self._fail(BAD_CHAR_REF, at)
        return c

    def _attribute_value(self, raw, at, tokenized):
        out = []
        i = 0
        while i < len(raw):
            amp = raw.find('&', i)
            if amp < 0:
                out.append(raw[i:].replace('\t', ' ').replace('\n', ' '))
                break
            out.append(raw[i:amp].replace('\t', ' ').replace('\n', ' '))
            body, c, after = self._reference_in(raw, amp, at)
            if c is not None:
                out.append(c)
            elif body in _PREDEFINED:
                out.append(_PREDEFINED[body])
            else:
                entity = self._entities.get(body)
                if entity is None:
                    self._fail(UNDEFINED_ENTITY, at)
                if entity.value is None:
                    self._fail(ATTRIBUTE_EXTERNAL_ENTITY_REF, at)
                if entity.open:
                    self._fail(RECURSIVE_ENTITY_REF, at)
                if '<' in entity.value:
                    self._fail(INVALID_TOKEN, at)
                self._amplify(len(entity.value), at)
                entity.open = True
                try:
                    out.append(self._attribute_value(entity.value, at, False))
                finally:
                    entity.open = False
            i = after
        value = ''.join(out)
        # Tokenized types (NMTOKENS, ID ...) collapse their spaces, as XML 1.0 (3.3.3) says.
        return ' '.join(filter(None, value.split(' '))) if tokenized else value

    def _data(self, text):
        if not text:
            return
        if self.CharacterDataHandler is None:
            self._default(text)
            return
        if self.buffer_text:
            self._chars.append(text)
            return
        # As expat: a call per line, the line ends apart.
        start = 0
        while True:
            nl = text.find('\n', start)
            if nl < 0:
                if start < len(text):
                    self.CharacterDataHandler(text[start:])
                return
            if nl > start:
                self.CharacterDataHandler(text[start:nl])
            self.CharacterDataHandler('\n')
            start = nl + 1

    def _flush(self):
        if self._chars:
            data = ''.join(self._chars)
            self._chars = []
            if self.CharacterDataHandler is not None:
                self.CharacterDataHandler(data)

    def _default(self, text):
        handler = self.DefaultHandlerExpand or self.DefaultHandler
        if handler is not None and text:
            self._flush()
            handler(text)


def _content_model(spec):
    """An element declaration's content model as expat gives it: (type, quantifier, name, children)."""
    if spec == 'EMPTY':
        return (1, 0, None, ())
    if spec == 'ANY':
        return (2, 0, None, ())
    quants = {'?': 1, '*': 2, '+': 3}

    def group(i):
        # spec[i] == '(': children up to the matching ')', then a quantifier
        children, kind, i = [], 6, i + 1
        if spec.startswith('#PCDATA', i):
            kind, i = 3, i + 7
        while spec[i] != ')':
            if spec[i] in '|,':
                kind = 5 if spec[i] == '|' and kind != 3 else kind
                i += 1
                continue
            if spec[i] == '(':
                child, i = group(i)
            else:
                m = re.match(r'[^|,()?*+]+', spec[i:])
                name, i = m.group(), i + m.end()
                q = quants.get(spec[i:i + 1], 0)
                i += 1 if q else 0
                child = (4, q, name, ())
            children.append(child)
        i += 1
        q = quants.get(spec[i:i + 1], 0)
        return (kind, q, None, tuple(children)), i + (1 if q else 0)

    return group(0)[0]


def _next_markup(text, limit, start=0):
    lt = text.find('<', start, limit)
    amp = text.find('&', start, limit)
    candidates = [x for x in (lt, amp) if x >= 0]
    return min(candidates) if candidates else limit


def _unquoted(text, start, limit, stops):
    """Index of the first of `stops` outside a quoted literal, or -1."""
    i, quote = start, None
    while i < limit:
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif c in stops:
            return i
        i += 1
    return -1


def _tag_end(text, start, limit):
    """Index of the '>' that ends a tag, or of a '<' (not well-formed: the tag's parser says where), or -1."""
    return _unquoted(text, start, limit, '<>')


def _doctype_end(text, start, limit):
    """Index of the '>' that closes a DOCTYPE (skipping quoted literals and the internal subset), or -1."""
    i, depth, quote = start, 0, None
    while i < limit:
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in '"\'':
            quote = c
        elif c == '[':
            depth += 1
        elif c == ']':
            depth -= 1
        elif c == '>' and depth == 0:
            return i
        elif c == '<' and depth > 0 and text.startswith('<!--', i):
            close = text.find('-->', i + 4, limit)
            if close < 0:
                return -1
            i = close + 2
        i += 1
    return -1


def _subset_end(text, start, limit):
    end = _unquoted(text, start, limit, ']')
    return limit if end < 0 else end


def _char_ref(body):
    try:
        n = int(body[2:], 16) if body[1:2] == 'x' else int(body[1:], 10)
    except ValueError:
        return None
    if not (n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF):
        return None
    if body[1:2] == 'x' and not re.fullmatch('x[0-9a-fA-F]+', body[1:]) or \
            body[1:2] != 'x' and not body[1:].isdigit():
        return None
    return chr(n)


def _replace_char_refs(value):
    return re.sub(r'&#(x[0-9a-fA-F]+|[0-9]+);', lambda m: _char_ref('#' + m.group(1)) or m.group(), value)


def ParserCreate(encoding=None, namespace_separator=None, intern=None):
    """Return a new XML parser object."""
    if encoding is not None and not isinstance(encoding, str):
        raise TypeError(f"ParserCreate() argument 'encoding' must be str or None, not {type(encoding).__name__}")
    if namespace_separator is not None:
        if not isinstance(namespace_separator, str):
            raise TypeError("ParserCreate() argument 'namespace_separator' must be str or None, not "
                            + type(namespace_separator).__name__)
        if len(namespace_separator) > 1:
            raise ValueError('namespace_separator must be at most one character, omitted, or None')
    if intern is None:
        intern = {}
    elif not isinstance(intern, dict):
        raise TypeError('intern must be a dictionary')
    return XMLParserType(encoding, namespace_separator, intern)
