"""The same XML through pyexpat and the modules on it, one result per line: StdlibTest runs `run()`
in a Covet interpreter (the sandbox's pyexpat is Covet's, in Python; --trusted's GraalPy's native
one) and as a script with the machine's CPython (expat 2.5), and compares the lines.

Covers ~100 documents (well-formed and not: every error expat reports on them, with its code,
line and column; namespaces, internal entities and attribute defaults, CDATA, comments, PIs, XML
and DOCTYPE declarations, encodings, line ends, the billion-laughs limit), each parsed whole and fed
1 and 3 bytes at a time, with and without namespaces, buffer_text and ordered_attributes; then
ElementTree (fromstring, iterparse, XMLPullParser, errors), minidom, sax (with namespaces), plistlib
and xmlrpc.client. Character data is compared joined: expat may split it anywhere.
"""
import io
import sys

HANDLERS = ['StartElementHandler', 'EndElementHandler', 'CharacterDataHandler', 'ProcessingInstructionHandler',
            'CommentHandler', 'StartNamespaceDeclHandler', 'EndNamespaceDeclHandler', 'XmlDeclHandler',
            'StartDoctypeDeclHandler', 'EndDoctypeDeclHandler', 'StartCdataSectionHandler', 'EndCdataSectionHandler',
            'EntityDeclHandler', 'ElementDeclHandler', 'AttlistDeclHandler']


def events(doc, sep, buffer_text, ordered, chunk):
    import pyexpat
    p = pyexpat.ParserCreate(None, sep)
    p.buffer_text = buffer_text
    p.ordered_attributes = ordered
    out = []
    for h in HANDLERS:
        setattr(p, h, (lambda h: lambda *a: out.append((h[:-7],) + a))(h))
    try:
        data = doc.encode('utf-8') if isinstance(doc, str) else doc
        if chunk:
            for i in range(0, len(data), chunk):
                p.Parse(data[i:i + chunk], False)
            p.Parse(b'', True)
        else:
            p.Parse(data, True)
    except pyexpat.ExpatError as e:
        out.append(('ERROR', e.code, e.lineno, e.offset, str(e)))
    merged = []
    for ev in out:
        if ev[0] == 'CharacterData' and merged and merged[-1][0] == 'CharacterData':
            merged[-1] = ('CharacterData', merged[-1][1] + ev[1])
        else:
            merged.append(ev)
    return merged


DOCS = [
    "<a/>", "<a>text</a>", "<a x='1' y=\"2\">t<b/>u</a>", "<?xml version='1.0'?><a/>", "<?xml version='1.0' encoding='utf-8' standalone='yes'?>\n<a/>",
    "<!-- c --><a><!--x--></a><!--z-->", "<a><?pi data here?></a>", "<a><![CDATA[<x>&]]></a>", "<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</a>",
    "<a>line1\nline2\r\nline3\rline4</a>", "<a b='x\ny\tz'/>", "<!DOCTYPE a><a/>", "<!DOCTYPE a SYSTEM 'a.dtd'><a/>",
    "<!DOCTYPE a PUBLIC '-//X//Y' 'a.dtd'><a/>", "<!DOCTYPE a [<!ENTITY e 'hello'>]><a>&e; &e;</a>",
    "<!DOCTYPE a [<!ENTITY e 'x<b>y</b>z'>]><a>&e;</a>", "<!DOCTYPE a [<!ATTLIST a d CDATA 'dv'>]><a/>",
    "<r xmlns='urn:d' xmlns:p='urn:p'><p:x p:a='1' b='2'/><y/></r>", "<r xmlns:p='urn:p'><p:x/></r>",
    "<a>", "<a></b>", "<a><b></a>", "x<a/>", "<a/>x", "<a/><b/>", "<a>&undefined;</a>", "<a>&#0;</a>", "<a x='1' x='2'/>",
    "<a x='<'/>", "<a><!-- -- --></a>", "<a>]]></a>", "<a", "<a x='1'", "", " ", "<?xml version='1.0'?>", "<a/><?xml version='1.0'?>",
    " <?xml version='1.0'?><a/>", "<p:a/>", "<a>\x01</a>", "<a>é ü 中文 😀</a>", "<!DOCTYPE a [<!ENTITY e '&e;'>]><a>&e;</a>",
    "<a b:c='1' xmlns:b='urn:b'/>", "<a><b>t</b><c>u</c></a>\n", "<a>&#xD800;</a>", "<a>&#12345678;</a>", "<a 1='x'/>", "<1/>",
    "<a><b/ ></a>", "<a></a >", "<a x = '1' />", "<a x='1'y='2'/>", "<!DOCTYPE a><!DOCTYPE a><a/>", "<a/><!-- after -->\n",
]
DOCS += ['x<a/>', 'abc<a/>', ' x<a/>', '&a;<a/>', '<a/> xy', '<a><?xml version="1.0"?></a>', '<!-- a --><?xml version="1.0"?><a/>',
         '<a x="1"y="2"/>', '<a x="<"/>', '<a>&bad name;</a>', '<a x="&undefined;"/>', '<a><b></a>', '<a>t', '<a><', '<a></a',
         '<a><!--', '<a><![CDATA[x', '<!DOCTYPE a', '<?xml', '<?pi', '<a xmlns:p=""/>', '<a xmlns:xml="urn:x"/>',
         '<r xmlns="urn:a"><x xmlns=""><y/></x></r>', '<r xmlns:a="urn:1" xmlns:b="urn:1"><e a:x="1" b:x="2"/></r>',
         '<!DOCTYPE a [<!ENTITY a "&#38;#60;">]><a>&a;</a>', '<!DOCTYPE a [<!ENTITY e SYSTEM "x.xml">]><a>&e;</a>',
         '<!DOCTYPE a [<!ENTITY e "v"><!ENTITY e "w">]><a>&e;</a>', '<!DOCTYPE a [<!ATTLIST a t NMTOKENS "  x   y ">]><a/>',
         '<!DOCTYPE a [<!-- c --><!ENTITY e "v">]><a x="&e;">&e;</a>', '<?xml version="1.0" encoding="latin-1"?><a>\xe9</a>',
         '<a>&#x10FFFF;&#1114112;</a>', '<a>\r\n</a>', '<a>\r</a>\r', '<a b="\r\n"/>', '<a>&lt;b&gt;</a>',
         '<!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><a>&l2;</a>',
         '<a><b><c><d/></c></b></a>', '<a>' + 'x' * 5000 + '</a>', '<a>' + '<b i="1">t</b>' * 300 + '</a>',
         '<?xml version="1.1"?><a/>', '<?xml version="2.0"?><a/>', '<?xml encoding="utf-8"?><a/>', '<?xml version="1.0" standalone="maybe"?><a/>',
         '<?XML version="1.0"?><a/>', '<?xmlfoo bar?><a/>', '<a/>\n<!-- c -->\n<?pi x?>\n', '<!DOCTYPE a [ ]><a/>',
         '<!DOCTYPE r [<!ELEMENT r (a*)><!ELEMENT a (#PCDATA)><!ELEMENT b (#PCDATA|a|c)*><!ELEMENT c (a,b?)+>'
         '<!ELEMENT d (a|(b,c))><!ELEMENT e EMPTY><!ELEMENT f ANY><!ELEMENT g (a)><!ATTLIST a id ID #IMPLIED '
         'k CDATA "def" f CDATA #FIXED "fx" e (x|y) "x" n NOTATION (n1|n2) #IMPLIED t NMTOKENS "  a   b ">]><r><a id="1"/></r>']


def expat_lines():
    for doc in DOCS:
        for sep in (None, '}'):
            for buffer_text in (True, False):
                for ordered in (False, True):
                    for chunk in (0, 1, 3):
                        yield ascii((doc[:60], sep, buffer_text, ordered, chunk, events(doc, sep, buffer_text, ordered, chunk)))


def _show(name, f):
    try:
        return f"{name} {ascii(f())}"
    except Exception as e:
        return f"{name} ERR {type(e).__name__} {e}"


def module_lines():
    import xml.dom.minidom
    import xml.etree.ElementTree as ET
    import xml.sax
    import xml.sax.handler
    import plistlib
    import xmlrpc.client
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e "ent">]>\n<r xmlns="urn:d" xmlns:p="urn:p" a="1">'
           '<p:x p:b="2">t&e;<![CDATA[c<d>]]></p:x><!--c--><?pi d?><y/>tail</r>')

    def tag(el):
        return el.tag if isinstance(el.tag, str) else el.tag.__name__

    yield _show('et', lambda: [(tag(e), e.attrib, e.text, e.tail) for e in ET.fromstring(doc).iter()])
    yield _show('et-tostring', lambda: ET.tostring(ET.fromstring(doc)))
    yield _show('et-err', lambda: ET.fromstring('<a><b></a>'))
    yield _show('et-err2', lambda: ET.fromstring('<a>&nope;</a>'))
    yield _show('iterparse', lambda: [(ev, el if isinstance(el, tuple) or el is None else tag(el))
                                      for ev, el in ET.iterparse(io.BytesIO(doc.encode()),
                                                                 events=('start', 'end', 'start-ns', 'end-ns', 'comment', 'pi'))])

    def pull():
        p = ET.XMLPullParser(events=('start', 'end'))
        out = []
        for chunk in ('<r><a>1</a>', '<b x="2"/>', '</r>'):
            p.feed(chunk)
            out += [(e, el.tag) for e, el in p.read_events()]
        p.close()
        return out
    yield _show('pull', pull)
    yield _show('minidom', lambda: xml.dom.minidom.parseString(doc).toxml())
    yield _show('minidom-err', lambda: xml.dom.minidom.parseString('<a>'))
    yield _show('minidom-id', lambda: xml.dom.minidom.parseString(
        '<!DOCTYPE r [<!ATTLIST a id ID #IMPLIED>]><r><a id="x">t</a></r>').getElementById('x').toxml())

    class Handler(xml.sax.handler.ContentHandler):
        def __init__(self):
            super().__init__()
            self.out = []

        def startElement(self, name, attrs):
            self.out.append(('s', name, dict(attrs)))

        def endElement(self, name):
            self.out.append(('e', name))

        def characters(self, content):
            self.out.append(('c', content))

        def startElementNS(self, name, qname, attrs):
            self.out.append(('sn', name, qname, dict(attrs)))

    def sax(namespaces):
        h = Handler()
        p = xml.sax.make_parser()
        p.setFeature(xml.sax.handler.feature_namespaces, namespaces)
        p.setContentHandler(h)
        p.parse(io.BytesIO(b'<r xmlns="urn:a" xmlns:b="urn:b" b:c="1" d="2"><b:x>t</b:x>u</r>'))
        return h.out
    yield _show('sax', lambda: sax(False))
    yield _show('saxns', lambda: sax(True))
    yield _show('plist', lambda: plistlib.loads(plistlib.dumps({'a': [1, 2.5, 'x', True], 'b': {'c': b'bytes'}})))
    yield _show('plist-entity', lambda: plistlib.loads(b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY e "x">]>'
                                                       b'<plist version="1.0"><string>&e;</string></plist>'))
    yield _show('xmlrpc', lambda: xmlrpc.client.loads(xmlrpc.client.dumps((1, 'two', [3.0], {'k': 'v'}), 'm')))
    yield _show('latin1', lambda: ET.fromstring('<?xml version="1.0" encoding="iso-8859-1"?><a>\xe9</a>'.encode('latin-1')).text)
    yield _show('utf16', lambda: ET.fromstring('<a>\u00e9\u4e2d</a>'.encode('utf-16')).text)
    yield _show('laughs', lambda: ET.fromstring('<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">' + ''.join(
        f'<!ENTITY {chr(98 + i)} "' + ('&' + chr(97 + i) + ';') * 10 + '">' for i in range(8)) + ']><l>&i;</l>'))


def run():
    return '\n'.join(list(expat_lines()) + list(module_lines()))


if __name__ == '__main__':
    sys.modules['_elementtree'] = None   # GraalPy has no C ElementTree: compare the pure-Python one
    print(run())
