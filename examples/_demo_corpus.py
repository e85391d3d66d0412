"""A small built-in corpus for the ReaRAG and ReSum demos (two-hop questions plus distractors)."""

from __future__ import annotations

from goalgraph.tools.retrieval import Passage

QUESTION = "In which town was the author of The Age of Reason born?"
ANSWER = "Thetford"

CORPUS = [
    Passage.make(
        "The Age of Reason",
        "The Age of Reason is a work by English-born political activist Thomas Paine, "
        "published in three parts in 1794, 1795 and 1807. It argues for the philosophical position of deism.",
    ),
    Passage.make(
        "Thomas Paine",
        "Thomas Paine was born on 9 February 1737 in Thetford, a market town in Norfolk, England. "
        "He emigrated to the British American colonies in 1774.",
    ),
    Passage.make(
        "Thetford",
        "Thetford is a market town and civil parish in the Breckland district of Norfolk, England. "
        "It lies on the A11 road between Norwich and London.",
    ),
    Passage.make(
        "Common Sense",
        "Common Sense is a 47-page pamphlet written by Thomas Paine in 1775 and 1776 "
        "advocating independence from Great Britain to people in the Thirteen Colonies.",
    ),
    Passage.make(
        "Rights of Man",
        "Rights of Man, a book by Thomas Paine published in 1791, posits that popular "
        "political revolution is permissible when a government does not safeguard the natural rights of its people.",
    ),
    Passage.make(
        "Edmund Burke",
        "Edmund Burke was an Anglo-Irish statesman born in Dublin. His Reflections on the "
        "Revolution in France were answered by Paine's Rights of Man.",
    ),
    Passage.make(
        "Deism",
        "Deism is the philosophical position that rejects revelation as a source of divine knowledge "
        "and asserts that reason and observation of the natural world are sufficient.",
    ),
    Passage.make(
        "Norwich", "Norwich is a cathedral city in Norfolk, England, about 100 miles north-east of London."
    ),
    Passage.make(
        "Lewes",
        "Lewes is the county town of East Sussex, England. Thomas Paine lived in Lewes from 1768 "
        "to 1774 while working as an excise officer.",
    ),
]
