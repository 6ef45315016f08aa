"""The FAQ knowledge base: shipped data, ranking quality on held-out paraphrases, language, determinism.

Two held-out sets of paraphrases, one Chinese and one English for every entry, none of them in the data
file. `TUNING` was used to choose the features, weights and thresholds of `engine/faq.py`; `FINAL` was
written before that tuning and measured once afterwards. Measured (61 entries):

| set | accuracy@1 | answered confidently | of which wrong | off-topic answered |
|---|---|---|---|---|
| TUNING (122) | 0.877 (107) | 82 | 2 | 0 of 20 |
| FINAL (122) | 0.852 (104) | 81 | 5 | 0 of 10 |

The assertions below hold the quality a little under those numbers so that adding entries stays possible.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from jobfirst_ai.engine.faq import (
    CONFIDENT_SCORE,
    GROUNDING_SCORE,
    FaqEntry,
    FaqHit,
    faq_entries,
    find_answer,
    grounding_snippets,
    parse_faq,
)
from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.types import Language

LANGUAGES: tuple[Language, ...] = ("zh", "en")

# One new Chinese and one new English way of asking each entry's question; used to tune engine/faq.py.
TUNING: dict[str, tuple[str, str]] = {
    "about_jobfirst": ("JobFirst这个平台主要干什么用的", "what is this jobfirst thing"),
    "assistant_capabilities": ("你都能回答什么问题", "what kind of help do you offer"),
    "chat_memory": ("你记得我刚才问过什么吗", "will you remember earlier parts of our conversation"),
    "chat_language": ("我能用英语和你交流吗", "can I talk to you in english"),
    "ai_model": ("你是基于哪个大模型的", "which LLM powers this assistant"),
    "simple_results": ("为什么这次的分析没有AI生成的总结", "why does my result say degraded"),
    "account_login": ("没有账号可以用简历分析吗", "do I need an account to use this"),
    "login_expired": ("登录过期了怎么办", "my session expired and I get 401"),
    "analysis_history": ("以前做过的简历分析去哪里找", "where are my previous analysis results"),
    "upload_formats": ("简历可以传什么类型的文件", "what file types can I use for my resume"),
    "upload_size": ("简历文件最大能多大", "what's the max file size for upload"),
    "upload_doc": ("老版word的doc格式能用吗", "is the old .doc word format supported"),
    "upload_image": ("简历是图片格式可以吗", "can I upload a png screenshot of my cv"),
    "paste_text": ("能不能把简历复制粘贴进来", "can I just paste the text of my resume"),
    "compare_versions": ("修改后的简历能重新分析吗", "can I re-analyse my resume after making changes"),
    "scanned_pdf": ("扫描的PDF简历读不出来怎么办", "my scanned pdf resume cannot be read"),
    "encrypted_file": ("有密码保护的PDF能分析吗", "my pdf is password protected"),
    "corrupt_file": ("提示文件损坏是怎么回事", "it says my file is corrupt"),
    "empty_document": ("为什么说我的简历没有文字", "why does it say there is no readable text in my file"),
    "unsupported_type": ("上传的时候说文件类型不支持", "it says file type not supported"),
    "garbled_text": ("txt文件上传后中文全是乱码", "my txt file shows weird garbled symbols"),
    "analysis_pending": ("简历分析一直显示排队中", "my analysis has been running forever"),
    "skills_not_found": ("我的技能为什么没被识别", "why didn't it find my skills"),
    "years_wrong": ("我的工作年限为什么算少了", "my years of experience are wrong"),
    "wrong_language": ("怎么让分析结果用中文显示", "how do I get the results in english"),
    "analysis_output": ("分析报告里都有什么", "what information does the resume analysis provide"),
    "score_rubric": ("简历的分数是按什么标准算的", "how do you score resumes"),
    "score_deterministic": (
        "同一份简历再分析一次分数会不会变",
        "will my score change if I analyse the same resume again",
    ),
    "score_improve": ("我的简历分数低，怎么提高", "how to increase my resume score"),
    "score_meaning": ("简历得了60分是不是很差", "does a high score mean I will get the job"),
    "length_advice": ("简历一般写几页比较好", "what is the ideal resume length"),
    "suggestions_source": ("给出的修改建议是依据什么", "how are the improvement suggestions generated"),
    "optimize_what": ("简历优化功能怎么用", "what does the optimize feature do"),
    "optimize_no_fabrication": ("优化简历会不会给我编数据", "will the optimizer fabricate numbers"),
    "optimize_for_job": ("可以根据目标岗位优化我的简历吗", "can you optimize my resume for a target job"),
    "match_how": ("匹配分数是怎么算的", "how does job matching work"),
    "missing_skills": ("匹配结果说我缺少技能是什么意思", "what does missing skills mean in the match result"),
    "match_no_results": ("为什么职位匹配一个结果都没有", "why are there no matching jobs for me"),
    "match_filters": ("能不能只看上海的职位", "can I filter jobs by salary"),
    "match_gap": ("看看我和这个岗位还差什么", "how far am I from this job's requirements"),
    "match_cross_language": ("英文简历能匹配中文职位吗", "can my chinese resume match english jobs"),
    "mock_interview": ("怎么进行模拟面试", "how do I do a practice interview"),
    "interview_grading": ("模拟面试回答怎么评分", "how do you score my interview answers"),
    "interview_questions": ("面试题有哪些类型", "what types of interview questions are there"),
    "interview_offline": ("没有AI的时候还能练面试吗", "can I practise interviews offline"),
    "privacy_visibility": ("别人能不能看到我上传的简历", "can anyone else see my resume"),
    "privacy_model": ("我的简历会不会被发给DeepSeek", "is my personal information sent to an AI provider"),
    "resume_as_data": ("在简历里加一句让AI打满分可以吗", "can I put hidden instructions in my resume"),
    "pricing": ("简历分析收费吗", "do I have to pay for this"),
    "usage_limits": ("一天最多能用几次", "is there a daily limit on usage"),
    "advice_quantify": ("简历的成果怎么用数据体现", "how to add numbers to my achievements"),
    "advice_star": ("STAR法则是什么意思", "explain the STAR method"),
    "advice_tailor": ("简历需要针对不同职位修改吗", "should I tailor my resume for each job application"),
    "advice_action_verbs": ("简历里写负责什么什么好不好", "what action verbs should I use in my resume"),
    "advice_sections": ("简历应该有哪些模块", "what should a resume include"),
    "advice_gap": ("空窗期在简历上怎么写", "how do I explain a gap in my employment"),
    "advice_graduate": ("应届毕业生简历怎么写", "how to write a resume with no experience"),
    "advice_layout": ("简历要不要用好看的模板", "should I use a fancy resume template"),
    "advice_self_intro": ("面试自我介绍怎么说", "how should I introduce myself in an interview"),
    "advice_behavioral": ("行为面试问题怎么回答", "how to answer behavioral interview questions"),
    "advice_improve_match": ("怎么提高职位匹配度", "how can I get a better match score for a job"),
}

# Written before the tuning, measured once after it.
FINAL: dict[str, tuple[str, str]] = {
    "about_jobfirst": ("JobFirst有哪些功能", "what can the jobfirst platform do for me"),
    "assistant_capabilities": ("你能干什么", "what are you able to help with"),
    "chat_memory": ("你能看到我们之前的聊天吗", "do you keep track of our conversation"),
    "chat_language": ("可以说中文吗", "do you understand english questions"),
    "ai_model": ("你用的是ChatGPT吗", "are you powered by deepseek"),
    "simple_results": ("结果怎么没有模型写的内容", "why is there no AI summary in my analysis"),
    "account_login": ("必须登录才能用吗", "is login required"),
    "login_expired": ("老是提示我重新登录", "I keep getting unauthorized errors"),
    "analysis_history": ("我的历史分析记录保存在哪", "can I look at my old analyses"),
    "upload_formats": ("支持上传哪些格式的简历", "which formats do you accept"),
    "upload_size": ("上传文件最大多少", "how big can my resume file be"),
    "upload_doc": ("doc文件为什么不行", "why is my doc file rejected"),
    "upload_image": ("能识别照片里的简历吗", "can you read my resume from a photo"),
    "paste_text": ("可以直接贴文字吗", "can I type or paste my resume instead"),
    "compare_versions": ("能多次分析同一份简历吗", "can I submit my resume several times"),
    "scanned_pdf": ("PDF是扫描件怎么办", "what if my pdf is a scan"),
    "encrypted_file": ("文件加密了上传不了", "my file is encrypted"),
    "corrupt_file": ("文件格式不正确打不开", "my file seems broken"),
    "empty_document": ("提示没有可读内容", "it says my resume is empty"),
    "unsupported_type": ("文件格式不被支持怎么办", "why is my file type not accepted"),
    "garbled_text": ("简历内容显示成乱码", "my resume text is unreadable gibberish after upload"),
    "analysis_pending": ("分析一直没有结果", "the analysis never completes"),
    "skills_not_found": ("有些技能没有识别出来", "some of my skills are missing from the analysis"),
    "years_wrong": ("经验年数不对", "it says I have zero years of experience"),
    "wrong_language": ("分析结果能换成英文吗", "can I change the language of the analysis"),
    "analysis_output": ("简历分析能得到哪些信息", "what do I get from the resume analysis"),
    "score_rubric": ("评分规则是什么", "what is the scoring rubric"),
    "score_deterministic": ("分数是随机的吗", "why is my score always the same"),
    "score_improve": ("怎么让我的简历分数更高", "how do I raise my score"),
    "score_meaning": ("分数高就能找到工作吗", "what does my score mean"),
    "length_advice": ("简历太长了怎么办", "is two pages too long for a resume"),
    "suggestions_source": ("为什么会给出这些修改建议", "where do the recommendations come from"),
    "optimize_what": ("帮我改写简历", "can you improve the wording of my resume"),
    "optimize_no_fabrication": ("优化后会不会出现假的经历", "does optimisation add fake experience"),
    "optimize_for_job": ("按照岗位要求优化简历", "optimise my resume for this job description"),
    "match_how": ("职位推荐是怎么算的", "how is the match score computed"),
    "missing_skills": ("缺少的技能怎么理解", "what are missing skills"),
    "match_no_results": ("没有匹配到任何职位", "I got no job matches"),
    "match_filters": ("能按薪资筛选职位吗", "can I only see jobs in beijing"),
    "match_gap": ("我离这个职位还差多少", "compare my resume with one job posting"),
    "match_cross_language": ("中英文简历都能匹配吗", "does matching work across languages"),
    "mock_interview": ("模拟面试是怎么进行的", "how does practice interviewing work"),
    "interview_grading": ("面试回答的评分标准是什么", "how are interview answers scored"),
    "interview_questions": ("会出技术面试题吗", "what questions will the interview ask"),
    "interview_offline": ("不联网能练习面试吗", "is there an interview question bank"),
    "privacy_visibility": ("我的简历安全吗", "is my data private"),
    "privacy_model": ("简历信息会泄露给第三方吗", "do you share my resume with third parties"),
    "resume_as_data": ("在简历里写提示词有用吗", "can a prompt in my resume change my score"),
    "pricing": ("要付费吗", "how much does it cost"),
    "usage_limits": ("有没有使用次数限制", "how many times can I use it"),
    "advice_quantify": ("怎么量化我的工作成果", "how do I measure my impact on a resume"),
    "advice_star": ("STAR怎么用", "what does STAR stand for"),
    "advice_tailor": ("要为每个职位准备不同的简历吗", "how to customise a resume for a job posting"),
    "advice_action_verbs": ("简历里的动词怎么用", "what verbs make bullet points stronger"),
    "advice_sections": ("简历都要写哪些内容", "what sections does a resume need"),
    "advice_gap": ("工作中断了半年怎么写", "how to deal with a career gap"),
    "advice_graduate": ("学生没有经验简历怎么写", "how do I write a resume as a fresh graduate"),
    "advice_layout": ("简历要做成两栏的吗", "is a creative resume design a good idea"),
    "advice_self_intro": ("自我介绍怎么写", "how to answer tell me about yourself"),
    "advice_behavioral": ("面试问到团队冲突怎么回答", "how should I prepare for behavioural questions"),
    "advice_improve_match": ("职位匹配度太低怎么办", "how do I improve my fit for a job"),
}

# Messages the knowledge base has no answer for: chit-chat, general knowledge, errands.
OFF_TOPIC = (
    "今天天气怎么样",
    "给我讲个笑话",
    "帮我写一首关于春天的诗",
    "1加1等于几",
    "推荐一部好看的电影",
    "北京有什么好吃的",
    "明天会下雨吗",
    "股票怎么买",
    "你喜欢什么颜色",
    "帮我订一张去上海的机票",
    "write me a poem",
    "what's the weather like today",
    "tell me a joke",
    "who won the world cup",
    "recommend a good movie",
    "how do I cook pasta",
    "what is the capital of France",
    "translate hello into spanish",
    "what time is it",
    "play some music",
    "你吃饭了吗",
    "讲个故事给我听",
    "地球到月球有多远",
    "怎么做红烧肉",
    "周末去哪里玩",
    "what's your favourite food",
    "how far is the moon",
    "sing me a song",
    "what is 2 plus 2",
    "who is the president of the usa",
)

HELD_OUT = [
    (entry_id, question) for held in (TUNING, FINAL) for entry_id, pair in held.items() for question in pair
]


# --- the shipped data ---


def test_the_shipped_knowledge_base_has_unique_ids_and_every_topic() -> None:
    entries = faq_entries()
    topics = {entry.topic for entry in entries}

    assert 40 <= len(entries) <= 80
    assert len({entry.id for entry in entries}) == len(entries)
    assert {"resume_upload", "resume_analysis", "job_matching", "interview", "privacy"} <= topics


@pytest.mark.parametrize("entry", faq_entries(), ids=lambda entry: entry.id)
def test_each_entry_is_written_in_both_languages(entry: FaqEntry) -> None:
    for language in LANGUAGES:
        text = entry.text(language)
        assert 2 <= len(text.paraphrases) <= 4
        assert all(detect_language(line) == language for line in (text.question, text.answer))


def test_every_entry_has_held_out_paraphrases_that_are_not_in_the_data() -> None:
    shipped = {
        line.casefold()
        for entry in faq_entries()
        for side in (entry.zh, entry.en)
        for line in (side.question, *side.paraphrases)
    }

    assert set(TUNING) == set(FINAL) == {entry.id for entry in faq_entries()}
    assert not [question for _, question in HELD_OUT if question.casefold() in shipped]


def test_a_repeated_id_or_an_unknown_topic_is_refused() -> None:
    line = faq_entries()[0].model_dump_json()

    with pytest.raises(ValueError, match="repeated FAQ ids"):
        parse_faq(f"{line}\n{line}\n")
    with pytest.raises(ValidationError):
        parse_faq(line.replace('"topic":"about"', '"topic":"weather"'))


# --- ranking quality ---


def test_held_out_paraphrases_find_their_entry_first() -> None:
    correct = sum(_top_id(question) == entry_id for entry_id, question in HELD_OUT)

    assert correct / len(HELD_OUT) >= 0.82


def test_confident_answers_are_right_and_cover_most_paraphrases() -> None:
    answers = [(entry_id, find_answer(question)) for entry_id, question in HELD_OUT]
    confident = [(entry_id, hits[0].id) for entry_id, hits in answers if hits and hits[0].is_confident]
    wrong = [pair for pair in confident if pair[0] != pair[1]]

    assert len(confident) / len(HELD_OUT) >= 0.6
    assert len(wrong) / len(confident) <= 0.06


@pytest.mark.parametrize("message", OFF_TOPIC)
def test_off_topic_messages_get_no_confident_answer(message: str) -> None:
    assert not any(hit.is_confident for hit in find_answer(message))


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("扫描的简历PDF读不出来", "scanned_pdf"),
        ("简历支持docx格式吗", "upload_formats"),
        ("简历评分是怎么计算的？", "score_rubric"),
        ("My PDF is a scan and can't be read", "scanned_pdf"),
        ("Which file formats can I upload?", "upload_formats"),
        ("What is the STAR method?", "advice_star"),
    ],
)
def test_questions_in_either_language_are_answered_confidently(message: str, entry_id: str) -> None:
    best = find_answer(message)[0]

    assert (best.id, best.is_confident) == (entry_id, True)
    assert best.score >= CONFIDENT_SCORE


def test_every_shipped_question_is_answered_confidently_by_its_own_entry() -> None:
    missed = [
        (entry.id, language)
        for entry in faq_entries()
        for language in LANGUAGES
        if not ((best := find_answer(entry.text(language).question)[0]).id == entry.id and best.is_confident)
    ]

    assert missed == []


def test_only_the_best_hit_can_be_confident_and_scores_stay_in_range() -> None:
    hits = find_answer("简历文件太大传不上去", limit=5)

    assert hits[0].is_confident
    assert not any(hit.is_confident for hit in hits[1:])
    assert all(0 < hit.score <= 1 for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


# --- language ---


def test_the_answer_follows_the_message_language() -> None:
    chinese = find_answer("支持哪些简历格式")[0]
    english = find_answer("which resume formats are supported")[0]

    assert (chinese.language, english.language) == ("zh", "en")
    assert detect_language(chinese.answer) == "zh"
    assert detect_language(english.answer) == "en"
    assert chinese.question == "简历支持哪些文件格式？"


def test_an_asked_language_wins_over_the_message_language() -> None:
    hit = find_answer("支持哪些简历格式", language="en")[0]

    assert (hit.id, hit.language) == ("upload_formats", "en")
    assert hit.question == "Which file formats can I upload?"


def test_a_chinese_message_with_latin_terms_is_answered_in_chinese() -> None:
    hit = find_answer("PDF扫描件上传失败")[0]

    assert (hit.id, hit.language) == ("scanned_pdf", "zh")


# --- determinism and edges ---


def test_the_same_message_always_gets_the_same_hits() -> None:
    message = "我的简历分数低，怎么提高"

    assert find_answer(message, limit=5) == find_answer(message, limit=5)
    assert faq_entries() is faq_entries()


def test_limit_and_empty_messages() -> None:
    assert len(find_answer("简历评分", limit=2)) == 2
    assert find_answer("简历评分", limit=0) == []
    assert find_answer("   ") == []
    assert find_answer("1234 !!!") == []


def test_hits_are_immutable() -> None:
    hit = find_answer("简历评分")[0]

    with pytest.raises(ValidationError):
        hit.score = 1.0  # type: ignore[misc]
    assert isinstance(hit, FaqHit)


# --- grounding ---


def test_grounding_snippets_carry_question_and_answer_in_the_asked_language() -> None:
    snippets = grounding_snippets("how is the match score computed", "zh", limit=2)

    assert snippets and snippets[0].startswith("Q: 职位匹配度是怎么计算的？\nA: ")
    assert len(snippets) <= 2


def test_grounding_snippets_are_empty_for_unrelated_messages() -> None:
    assert grounding_snippets("how do I cook pasta") == []
    assert all(hit.score < GROUNDING_SCORE for hit in find_answer("给我讲个笑话"))


def test_importing_the_module_does_not_load_jieba() -> None:
    code = "import sys, jobfirst_ai.engine.faq\nprint('jieba' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert output.stdout.strip() == "False"


def _top_id(question: str) -> str | None:
    hits = find_answer(question)
    return hits[0].id if hits else None
