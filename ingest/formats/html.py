"""HTML reader: Khoros and Discourse topic pages become forum threads, anything else a generic article."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import trafilatura
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.documents import ParsedDocument, Post, UnreadableSource
from ingest.formats import forum_text, markdown
from ingest.formats._htmltext import classes, html_to_text, node_text, parse
from ingest.formats._textutil import date_in, iso_date, normalize
from ingest.formats.text import sections_from_text

log = logging.getLogger(__name__)

_KHOROS_BODY = ".lia-message-body-content"
_KHOROS_AUTHOR = ".lia-user-name-link, .lia-user-name, .UserName"
_KHOROS_RANK = ".lia-user-rank, .lia-message-author-rank, .UserRank"
_KHOROS_DATE = ".local-date, .lia-message-posted-on, .DateTime"
_KHOROS_SOLUTION = '[class*="accepted-solution"], [class*="solution-badge"], [class*="lia-message-solution"]'
_KHOROS_SIGNATURE = frozenset({"lia-message-signature", "UserSignature"})

_DISCOURSE_MARKERS = '.crawler-post, .topic-body, .topic-post, [itemtype*="DiscussionForumPosting"], [data-post-number]'
_DISCOURSE_BODIES = ('[itemprop="text"]', '[itemprop="articleBody"]', ".cooked")
_DISCOURSE_AUTHOR = (
    '[itemprop="author"] [itemprop="name"], .creator [itemprop="name"], [itemprop="author"], .creator a, '
    ".creator, .username"
)
_DISCOURSE_CHROME = frozenset({"meta", "onebox-metadata", "source"})

_TITLE_SUFFIX = re.compile(r"^(.+?)\s+[-|–—·]\s+[^-|–—·]{2,60}$")  # "Page title - Site name"
_THREAD_PREFIX = re.compile(r"^(?:solved!?:?|re:)\s*", re.IGNORECASE)


def parse_html(text: str, *, source: str, fallback_title: str) -> ParsedDocument:
    """Parse an HTML page: a Khoros or Discourse topic becomes a thread, anything else an article."""
    tree = parse(text)
    title = page_title(tree) or fallback_title
    url = _meta_url(tree)
    for read_posts in (_khoros_posts, _discourse_posts):
        thread_title = _THREAD_PREFIX.sub("", title).strip() or title
        posts = read_posts(tree, thread_title)
        if posts:
            return ParsedDocument(
                source=source,
                title=thread_title,
                kind="forum",
                url=url,
                urls=(url,) if url else (),
                date=posts[0].date,
                posts=posts,
                format="html",
            )
    return _article(text, tree, source=source, title=title, url=url)


def page_title(tree: LexborHTMLParser) -> str | None:
    """Return the page's own title: the first <h1>, else og:title, else <title> without the site name."""
    h1 = next((t for t in (node_text(n) for n in tree.css("h1")) if t and len(t) <= 200), None)
    if h1:
        return h1
    og = tree.css_first('meta[property="og:title"]')
    if og is not None and (og.attributes.get("content") or "").strip():
        return normalize(og.attributes["content"] or "")
    title = node_text(tree.css_first("title"))
    if not title:
        return None
    match = _TITLE_SUFFIX.match(title)
    return match.group(1) if match else title


def _meta_url(tree: LexborHTMLParser) -> str | None:
    for selector, attr in (('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        value = (node.attributes.get(attr) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            return value
    return None


def _container(body: LexborNode, selector: str) -> LexborNode:
    """Return the largest element around ``body`` holding no other message body: that message's box."""
    node = body
    while node.parent is not None and node.parent.tag not in ("body", "html"):
        if len(node.parent.css(selector)) != 1:
            break
        node = node.parent
    return node


def _posts(
    tree: LexborHTMLParser,
    selector: str,
    title: str,
    describe: Callable[[LexborNode, LexborNode], tuple[str | None, str, str | None, bool]],
    skip_classes: frozenset[str],
) -> list[Post]:
    posts: list[Post] = []
    question_empty = False
    for body in tree.css(selector):
        box = _container(body, selector)
        author, role, date, accepted = describe(box, body)
        text, accepted_in_text = forum_text.clean_body(html_to_text(body, skip_classes=skip_classes).split("\n"), title)
        if not text and posts:
            continue
        if not posts:
            question_empty = not text
        posts.append(
            Post(
                position=len(posts),
                author=author or None,
                role=role,
                text=text or title,
                accepted=(accepted or accepted_in_text) and bool(posts),
                date=date,
            )
        )
    return [] if question_empty and len(posts) == 1 else posts


def _khoros_posts(tree: LexborHTMLParser, title: str) -> list[Post]:
    if tree.css_first(_KHOROS_BODY) is None:
        return []
    return _posts(tree, _KHOROS_BODY, title, _describe_khoros, _KHOROS_SIGNATURE)


def _describe_khoros(box: LexborNode, body: LexborNode) -> tuple[str | None, str, str | None, bool]:
    author = node_text(box.css_first(_KHOROS_AUTHOR))
    rank_node = box.css_first(_KHOROS_RANK)
    rank = node_text(rank_node)
    if rank_node is not None and not rank:  # ranks shown as badge images
        image = rank_node.css_first("img")
        rank = (image.attributes.get("alt") or image.attributes.get("title") or "") if image is not None else ""
    time = box.css_first("time[datetime]")
    date = iso_date(time.attributes.get("datetime")) if time is not None else None
    if date is None:
        date = next((d for d in (date_in(node_text(n)) for n in box.css(_KHOROS_DATE)) if d), None)
    accepted = bool(classes(box) & {"lia-accepted-solution", "lia-message-solution"})
    accepted = accepted or any(not _inside(node, body) for node in box.css(_KHOROS_SOLUTION))
    accepted = accepted or _has_marker_outside(box, body)
    return author, forum_text.role_for(rank) or "member", date, accepted


def _inside(node: LexborNode, ancestor: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id == ancestor.mem_id:
            return True
        current = current.parent
    return False


def _has_marker_outside(box: LexborNode, body: LexborNode) -> bool:
    """Tell whether the message box shows an 'Accepted Solution' label outside the message text."""
    return any(
        node.css_first("div, p") is None and forum_text.is_accepted_marker(node_text(node)) and not _inside(node, body)
        for node in box.css("span, div, strong, b, em, p, a, small")
    )


def _discourse_posts(tree: LexborHTMLParser, title: str) -> list[Post]:
    generator = tree.css_first('meta[name="generator"]')
    is_discourse = generator is not None and "discourse" in (generator.attributes.get("content") or "").lower()
    if not is_discourse and tree.css_first(_DISCOURSE_MARKERS) is None:
        return []
    for selector in _DISCOURSE_BODIES:
        if tree.css_first(selector) is not None:
            return _posts(tree, selector, title, _describe_discourse, _DISCOURSE_CHROME)
    return []


def _describe_discourse(box: LexborNode, body: LexborNode) -> tuple[str | None, str, str | None, bool]:
    author_node = box.css_first(_DISCOURSE_AUTHOR)
    if author_node is None:  # some layouts put the byline in a sibling just before the body
        sibling = box.prev
        while sibling is not None and author_node is None:
            if sibling.tag and not sibling.tag.startswith("-"):
                author_node = sibling.css_first(_DISCOURSE_AUTHOR)
            sibling = sibling.prev
    author = node_text(author_node).split(" (")[0] if author_node is not None else None

    date = None
    time = box.css_first("time[datetime]")
    if time is not None:
        date = iso_date(time.attributes.get("datetime"))
    else:
        published = box.css_first('meta[itemprop="datePublished"]')
        date = iso_date(published.attributes.get("content")) if published is not None else None

    marks: set[str] = set()
    for node in (box, *(n for n in box.css("[class]") if not _inside(n, body))):
        marks |= classes(node)
    role = "moderator" if "moderator" in marks else "staff" if marks & {"staff", "admin"} else "member"

    accepted = bool(marks & {"accepted-answer", "accepted-solution", "solution"})
    ancestor: LexborNode | None = body
    while ancestor is not None and not accepted:
        accepted = "acceptedAnswer" in (ancestor.attributes.get("itemprop") or "") if ancestor.tag else False
        ancestor = ancestor.parent
    return author, role, date, accepted


def _main_node(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in ("main", "article", '[role="main"]', "#content", ".content", "body"):
        node = tree.css_first(selector)
        if node is not None and node_text(node):
            return node
    return None


def _article(html: str, tree: LexborHTMLParser, *, source: str, title: str, url: str | None) -> ParsedDocument:
    """Build a generic article: main text via trafilatura, sections by its h2/h3 headings."""
    extracted = trafilatura.extract(
        html,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_recall=True,
    )
    body_markdown = extracted or ""
    main = _main_node(tree)
    if main is not None:
        for noise in main.css("nav, header, footer, aside, [role=navigation]"):
            noise.decompose()
        lost_headings = main.css_first("h2, h3") is not None and not re.search(r"(?m)^#{2,3} ", body_markdown)
        if not body_markdown.strip() or lost_headings:
            # trafilatura found nothing, or flattened the headings away: take the structure from the page.
            body_markdown = html_to_text(main, headings=True)
    if not normalize(body_markdown):
        raise UnreadableSource("HTML has no readable text")

    if re.search(r"(?m)^#{1,3} ", body_markdown):
        _, sections = markdown.sections_from_markdown(body_markdown, title=title, fallback_title=title)
    else:
        blocks = [b for b in normalize(markdown.plain_text(body_markdown)).split("\n\n") if b.strip()]
        if blocks and blocks[0] == title:
            blocks = blocks[1:]
        sections = sections_from_text(blocks, title) if blocks else []
    if not sections:
        raise UnreadableSource("HTML has no readable text")
    meta_date = tree.css_first('meta[property="article:published_time"], meta[itemprop="datePublished"]')
    return ParsedDocument(
        source=source,
        title=title,
        kind="other",
        url=url,
        urls=(url,) if url else (),
        date=iso_date(meta_date.attributes.get("content")) if meta_date is not None else None,
        sections=sections,
        format="html",
    )
