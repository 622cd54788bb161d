"""Messages of A/B experiments: the report, its verdict, rehearsals, the 实验 tab."""

EXPERIMENT_STRINGS: dict[str, dict[str, str]] = {
    "rehearse.unknown_field": {
        "zh": "这位客户要提供的“{field}”不是这个机器人的线索字段（已有：{known}）",
        "en": '"{field}" is not one of this bot\'s lead fields (it has: {known})',
    },
    "rehearse.shares": {"zh": "。我的{label}是 {value}", "en": ". My {label} is {value}"},
    "rehearse.customer_role": {
        "zh": "你在扮演一位客户，正在企业微信上和一家公司的客服聊天。你的身份：{who}。你想要：{wants}。"
        "每次只说一两句简短、口语化的话，只说客户会说的话，不要扮演客服，也不要解释你在扮演。",
        "en": "You are role-playing a customer chatting with a company's assistant on WeCom. "
        "Who you are: {who}. What you want: {wants}. Write one or two short, casual sentences, "
        "only what the customer says; never play the assistant or explain the role-play.",
    },
    "rehearse.your_turn": {"zh": "（已接通，请你先说）", "en": "(Connected. You speak first.)"},
    "rehearse.single": {
        "zh": "彩排中 {rate} 的模拟客户完成了转化（没有 A/B 变体可比较）。",
        "en": "{rate} of the simulated customers converted (no A/B variants to compare).",
    },
    "rehearse.progress": {
        "zh": "彩排 {done}/{total}：{customer} × {variant} → {outcome}",
        "en": "Rehearsal {done}/{total}: {customer} × {variant} → {outcome}",
    },
    "rehearse.converted_at": {"zh": "第 {turns} 轮转化", "en": "converted at turn {turns}"},
    "rehearse.not_converted": {"zh": "未转化", "en": "not converted"},
    "rehearse.bad_runs": {
        "zh": "--runs 必须在 1 到 100 之间（收到 {runs}）",
        "en": "--runs must be between 1 and 100 (got {runs})",
    },
    "rehearse.heading": {
        "zh": "彩排结果（模拟客户，不计入真实数据）：",
        "en": "Rehearsal (simulated customers, not real data):",
    },
    "cli.report.head": {
        "zh": "{name}（{id}），实验种子 {seed}",
        "en": "{name} ({id}), experiment seed {seed}",
    },
    "cli.report.line": {
        "zh": "  {id:<8} 人数 {users:>6}  转化 {conversions:>5}  转化率 {rate} [{low}, {high}]  p 值 {p:>7}  最优概率 {chance}",
        "en": "  {id:<8} users {users:>6}  conversions {conversions:>5}  rate {rate} [{low}, {high}]  p {p:>7}  chance to win {chance}",
    },
    "cli.report.behaviour": {
        "zh": "  {id:<8} 回复 {replies:>6}  回复用时中位数 {latency}  几轮后转化 {turns}  好评率 {thumbs}（{ratings} 个评价）",
        "en": "  {id:<8} replies {replies:>6}  median reply {latency}  median turns to conversion {turns}  👍 {thumbs} of {ratings} ratings",
    },
    "cli.report.srm": {"zh": "  分流检验（SRM）p = {p}", "en": "  sample ratio check p = {p}"},
    "cli.rehearse.line": {
        "zh": "  {id:<8} 模拟对话 {runs:>4}  转化 {conversions:>4}  转化率 {rate} [{low}, {high}]  几轮后转化 {turns}  各字段采集率：{fields}",
        "en": "  {id:<8} runs {runs:>4}  converted {conversions:>4}  rate {rate} [{low}, {high}]  median turns {turns}  captured: {fields}",
    },
    "report.no_data": {
        "zh": "还没有客户进入这个实验：机器人开始和客户聊天后，数字会出现在这里。",
        "en": "No customers in this experiment yet: the numbers appear once the bot talks to people.",
    },
    "report.no_experiment": {
        "zh": "这个机器人没有 A/B 实验（少于两个变体）。",
        "en": "This bot runs no A/B experiment (fewer than two variants).",
    },
    "report.srm": {
        "zh": "各组人数与权重不符（p={p}），分流可能出了问题，结果暂不可信。请检查分流设置。",
        "en": "The groups' sizes do not match the weights (p={p}): the split may be broken, so do not trust the results yet.",
    },
    "report.adopt": {
        "zh": "{variant} 更好的概率为 {chance}%，建议采用 {variant}。",
        "en": "{variant} is better with {chance}% probability: adopt {variant}.",
    },
    "report.keep_control": {
        "zh": "对照组 {variant} 更好的概率为 {chance}%，建议保留 {variant}。",
        "en": "The control {variant} is better with {chance}% probability: keep {variant}.",
    },
    "report.need_more": {
        "zh": "样本还不够：每组还需约 {n} 人（目前 {variant} 领先，更好的概率为 {chance}%）。",
        "en": "Not enough data yet: about {n} more people per group needed ({variant} leads, {chance}% chance to be best).",
    },
    "report.no_difference": {
        "zh": "目前各组转化率相同，还看不出差别。",
        "en": "The groups convert at the same rate so far: no difference to see yet.",
    },
    "exp.col.variant": {"zh": "变体", "en": "Variant"},
    "exp.col.users": {"zh": "人数", "en": "People"},
    "exp.col.conversions": {"zh": "转化", "en": "Conversions"},
    "exp.col.rate": {"zh": "转化率 [95% 区间]", "en": "Rate [95% interval]"},
    "exp.col.diff": {"zh": "与对照组相比", "en": "Versus control"},
    "exp.col.p": {"zh": "p 值", "en": "p-value"},
    "exp.col.chance": {"zh": "最优概率", "en": "Chance to be best"},
    "exp.col.replies": {"zh": "回复数", "en": "Replies"},
    "exp.col.latency": {"zh": "回复用时（中位数）", "en": "Reply time (median)"},
    "exp.col.turns": {"zh": "几轮后转化（中位数）", "en": "Turns to convert (median)"},
    "exp.col.thumbs": {"zh": "客户好评率（评价数）", "en": "Customers' 👍 rate (ratings)"},
    "exp.col.team": {"zh": "团队试聊评分", "en": "Team ratings in Try"},
    "exp.col.runs": {"zh": "模拟对话", "en": "Conversations"},
    "exp.col.captured": {"zh": "各字段采集率", "en": "Captured per field"},
    "rehearse.title": {"zh": "🎭 上线前彩排", "en": "🎭 Rehearse before going live"},
    "rehearse.help": {
        "zh": "由模型扮演下面的模拟客户，和每个变体各聊一遍，看哪个变体更能拿到线索。结果不计入真实数据。用自带的小模型时每段对话约需半分钟到几分钟。",
        "en": "The model plays the simulated customers below against each variant, to see which one captures more leads. Nothing counts as real data. With the bundled small model each conversation takes from half a minute to a few minutes.",
    },
    "rehearse.customers": {"zh": "模拟客户（YAML）", "en": "Simulated customers (YAML)"},
    "rehearse.runs": {"zh": "每位客户聊几遍", "en": "Conversations per customer"},
    "rehearse.start": {"zh": "开始彩排", "en": "Start rehearsal"},
    "rehearse.stop": {"zh": "⏹ 停止", "en": "⏹ Stop"},
    "rehearse.starting": {
        "zh": "彩排开始，每段对话结束时在这里显示…",
        "en": "Rehearsal started; each conversation shows here as it ends…",
    },
    "rehearse.stopping": {
        "zh": "正在停止：模型写完当前这句话就停…",
        "en": "Stopping: the model finishes its current reply first…",
    },
    "rehearse.stopped": {
        "zh": "彩排已停止，模型已空出来。下表只算已经聊完的对话：",
        "en": "Rehearsal stopped; the model is free. The table counts only the conversations that ended:",
    },
    "rehearse.bad_line": {"zh": "第 {line} 行：{message}", "en": "line {line}: {message}"},
    "exp.over_time": {"zh": "每日转化", "en": "Conversions per day"},
    "try.rated": {
        "zh": "已记下你的评价（计入团队试聊评分，不计入客户数据）",
        "en": "Rating noted (counted as a team rating, not as customer data)",
    },
    "exp.srm_warning": {
        "zh": "⚠️ 各组人数与设定的权重不符（p={p}）：分流可能有问题，这些结果暂时不可信。",
        "en": "⚠️ The groups' sizes do not match the weights (p={p}): the split may be broken; do not trust these results yet.",
    },
    "exp.winner": {"zh": "要采用的变体", "en": "Variant to adopt"},
    "exp.adopt": {"zh": "采用胜出的变体", "en": "Adopt the winner"},
    "exp.confirm": {"zh": "确认采用并开始新实验", "en": "Yes, adopt it and start a new experiment"},
    "exp.pick_winner": {"zh": "请先选择要采用的变体", "en": "Pick the variant to adopt first"},
    "exp.no_such_variant": {
        "zh": "这个机器人没有变体“{variant}”（可能已在“编辑”里删除），请重新选择",
        "en": "This bot has no variant “{variant}” (it may have been deleted in Edit); pick again",
    },
    "exp.ask": {
        "zh": "采用 **{variant}**：它的设置会成为机器人的默认设置，本次实验结果会存档，然后用新的随机种子开始下一轮实验。",
        "en": "Adopt **{variant}**: its settings become the bot's own, this experiment's results are archived, and a new seed starts the next experiment.",
    },
    "exp.adopted": {
        "zh": "已采用 {variant}，新一轮实验已开始",
        "en": "Adopted {variant}; a new experiment has started",
    },
    "exp.help": {
        "zh": "每位客户第一次来时被分到一个变体，之后一直不变。转化率的区间越窄越可信；“最优概率”达到 95% 才建议采用。",
        "en": "Each customer is assigned a variant at first contact and keeps it. Narrower intervals mean surer numbers; adopt only at a 95% chance to be best.",
    },
}
