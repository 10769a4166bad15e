#include "expr/parser.h"

#include <cctype>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>

#include "model/error.h"

namespace ddb::expr {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Condition: return "ConditionExpression";
    case Kind::Filter: return "FilterExpression";
    case Kind::KeyCondition: return "KeyConditionExpression";
    case Kind::Projection: return "ProjectionExpression";
    case Kind::Update: return "UpdateExpression";
  }
  return "Expression";
}

const char* function_name(Func f) {
  switch (f) {
    case Func::AttributeExists: return "attribute_exists";
    case Func::AttributeNotExists: return "attribute_not_exists";
    case Func::AttributeType: return "attribute_type";
    case Func::BeginsWith: return "begins_with";
    case Func::Contains: return "contains";
    case Func::Size: return "size";
    case Func::IfNotExists: return "if_not_exists";
    case Func::ListAppend: return "list_append";
  }
  return "";
}

std::string describe(const Path& p) {
  std::string out = "[";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) out += ", ";
    out += p[i].is_index() ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
  }
  return out + "]";
}

std::string to_text(const Path& p) {
  std::string out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].is_index())
      out += "[" + std::to_string(p[i].index) + "]";
    else
      out += (i ? "." : "") + p[i].name;
  }
  return out;
}

namespace {

constexpr size_t kMaxExpressionBytes = 4096;
constexpr size_t kMaxPathDepth = 32;
constexpr int64_t kMaxListIndex = 4294967294;
constexpr int kMaxNesting = 256;  // parenthesis/NOT depth: bounds recursion

enum class Tok {
  Ident,
  Name,
  Value,
  Number,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Plus,
  Minus,
  Bad,
  End,
};

struct Token {
  Tok type;
  size_t begin, end;  // byte range in the text
};

class Parser {
 public:
  Parser(std::string_view text, Kind kind) : text_(text), kind_(kind) {
    if (text.size() > kMaxExpressionBytes)
      fail("Expression size has exceeded the maximum allowed size; expression size: " +
           std::to_string(text.size()));
    lex();
    bool blank = true;
    for (char c : text)
      if (!std::isspace(static_cast<unsigned char>(c))) blank = false;
    if (blank) fail("The expression can not be empty;");
  }

  Node condition_expression() {
    Node n = parse_or(0);
    expect_end();
    report({Fault::UnknownFunction, Fault::MisusedFunction, Fault::Reserved});
    return n;
  }

  Update update_expression() {
    Update u;
    bool seen[4] = {false, false, false, false};
    static constexpr const char* kClause[] = {"SET", "REMOVE", "ADD", "DELETE"};
    while (peek().type != Tok::End) {
      int clause = -1;
      if (peek().type == Tok::Ident) {
        for (int i = 0; i < 4; ++i)
          if (iequals(text(peek()), kClause[i])) clause = i;
      }
      if (clause < 0) syntax_error(pos_);
      if (seen[clause])
        defer(Fault::Section, std::string("The \"") + kClause[clause] +
                                  "\" section can only be used once in an update expression;");
      seen[clause] = true;
      ++pos_;
      do {
        UpdateAction a{static_cast<UpdateAction::Kind>(clause), parse_path(), {}};
        if (a.kind == UpdateAction::Kind::Set) {
          expect(Tok::Eq);
          a.value = set_value();
        } else if (a.kind != UpdateAction::Kind::Remove) {
          if (peek().type != Tok::Value) syntax_error(pos_);
          a.value = operand();
        }
        u.actions.push_back(std::move(a));
      } while (accept(Tok::Comma));
    }
    report({Fault::Reserved, Fault::UnknownFunction, Fault::Section});
    return u;
  }

  std::vector<Path> projection_expression() {
    std::vector<Path> paths;
    do paths.push_back(parse_path());
    while (accept(Tok::Comma));
    expect_end();
    report({Fault::Reserved});
    return paths;
  }

 private:
  [[noreturn]] void fail(const std::string& detail) const {
    invalid(std::string("Invalid ") + kind_name(kind_) + ": " + detail);
  }

  std::string_view text(const Token& t) const { return text_.substr(t.begin, t.end - t.begin); }

  // Faults DynamoDB reports only once the whole text has parsed: a syntax error or redundant
  // parentheses anywhere come first ('a > whatever((:things), ((a)))' is redundant
  // parentheses, 'ADD abort b' a syntax error), then the first of each of these in an order
  // that depends on the expression's kind, as dynalite's test/scan.js and test/updateItem.js
  // record DynamoDB's answers.
  enum class Fault { UnknownFunction, MisusedFunction, Reserved, Section };
  void defer(Fault f, std::string detail) {
    std::string& slot = deferred_[static_cast<size_t>(f)];
    if (slot.empty()) slot = std::move(detail);
  }
  void report(std::initializer_list<Fault> order) const {
    for (Fault f : order)
      if (const std::string& d = deferred_[static_cast<size_t>(f)]; !d.empty()) fail(d);
  }
  void misused_function(std::string_view name) {
    defer(Fault::MisusedFunction,
          "The function is not allowed to be used this way in an expression; function: " +
              std::string(name));
  }
  [[noreturn]] void redundant_parentheses() const {
    fail("The expression has redundant parentheses;");
  }

  // The token after the ")" that closes the "(" at pos_ (End when none closes it).
  const Token& after_group() const {
    size_t depth = 0;
    for (size_t i = pos_; i < tokens_.size(); ++i) {
      if (tokens_[i].type == Tok::LParen) ++depth;
      if (tokens_[i].type == Tok::RParen && --depth == 0) return tokens_[i + 1];
    }
    return tokens_.back();
  }

  // DynamoDB names the offending token and shows it with its neighbours.
  [[noreturn]] void syntax_error(size_t i) const {
    const Token& t = tokens_[i];
    std::string token = t.type == Tok::End ? "<EOF>" : std::string(text(t));
    size_t from = i > 0 ? tokens_[i - 1].begin : t.begin;
    size_t to = (t.type != Tok::End && i + 1 < tokens_.size()) ? tokens_[i + 1].end : t.end;
    if (t.type == Tok::End) to = text_.size();
    fail("Syntax error; token: \"" + token + "\", near: \"" +
         std::string(text_.substr(from, to - from)) + "\"");
  }

  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
  }

  void lex() {
    size_t i = 0;
    auto word = [&](size_t start) {
      while (i < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_'))
        ++i;
      return i > start;
    };
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      Tok t = Tok::Bad;
      if (std::isalpha(static_cast<unsigned char>(c))) {
        word(i);
        t = Tok::Ident;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        // A list index is 0 or a number without a leading zero: "01" is the two indexes "0"
        // and "1", so "a[01]" is a syntax error (the DAX client's expression grammar,
        // Tokens.g4: INDEX : '0' | POS_DIGIT (DIGIT)*).
        ++i;
        if (c != '0')
          while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) ++i;
        t = Tok::Number;
      } else if (c == '#' || c == ':') {
        ++i;
        t = word(i) ? (c == '#' ? Tok::Name : Tok::Value) : Tok::Bad;
      } else {
        ++i;
        switch (c) {
          case '=': t = Tok::Eq; break;
          case '<':
            t = Tok::Lt;
            if (i < text_.size() && text_[i] == '>')
              t = Tok::Ne, ++i;
            else if (i < text_.size() && text_[i] == '=')
              t = Tok::Le, ++i;
            break;
          case '>':
            t = Tok::Gt;
            if (i < text_.size() && text_[i] == '=') t = Tok::Ge, ++i;
            break;
          case '(': t = Tok::LParen; break;
          case ')': t = Tok::RParen; break;
          case '[': t = Tok::LBracket; break;
          case ']': t = Tok::RBracket; break;
          case ',': t = Tok::Comma; break;
          case '.': t = Tok::Dot; break;
          case '+': t = Tok::Plus; break;
          case '-': t = Tok::Minus; break;
          default:
            // A character outside ASCII is one token of all its UTF-8 bytes, so that a syntax
            // error names the character: its lead byte alone made the message invalid UTF-8.
            if (static_cast<unsigned char>(c) >= 0x80)
              while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0) == 0x80) ++i;
            t = Tok::Bad;
        }
      }
      tokens_.push_back({t, start, i});
    }
    tokens_.push_back({Tok::End, text_.size(), text_.size()});
    for (size_t k = 0; k < tokens_.size(); ++k)
      if (tokens_[k].type == Tok::Bad) bad_ = k, has_bad_ = true;
  }

  const Token& peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  bool accept(Tok t) {
    if (peek().type != t) return false;
    ++pos_;
    return true;
  }
  void expect(Tok t) {
    if (!accept(t)) syntax_error(pos_);
  }
  void expect_end() {
    if (peek().type != Tok::End) syntax_error(pos_);
  }
  bool keyword(const char* kw) const {
    return peek().type == Tok::Ident && iequals(text(peek()), kw);
  }
  void enter() {
    if (++depth_ > kMaxNesting) fail("The expression has too many nesting levels");
  }

  Node parse_or(int) {
    enter();
    Node left = parse_and();
    while (keyword("OR")) {
      ++pos_;
      Node n{Node::Kind::Or};
      n.kids.push_back(std::move(left));
      n.kids.push_back(parse_and());
      left = std::move(n);
      parenthesized_ = false;
    }
    --depth_;
    return left;
  }

  Node parse_and() {
    Node left = parse_not();
    while (keyword("AND")) {
      ++pos_;
      Node n{Node::Kind::And};
      n.kids.push_back(std::move(left));
      n.kids.push_back(parse_not());
      left = std::move(n);
      parenthesized_ = false;
    }
    return left;
  }

  Node parse_not() {
    if (keyword("NOT")) {
      ++pos_;
      enter();
      Node n{Node::Kind::Not};
      n.kids.push_back(parse_not());
      --depth_;
      parenthesized_ = false;
      return n;
    }
    return parse_predicate();
  }

  static bool is_boolean_function(Func f) {
    return f == Func::AttributeExists || f == Func::AttributeNotExists ||
           f == Func::AttributeType || f == Func::BeginsWith || f == Func::Contains;
  }

  static bool is_comparator(Tok t) {
    return t == Tok::Eq || t == Tok::Ne || t == Tok::Lt || t == Tok::Le || t == Tok::Gt ||
           t == Tok::Ge;
  }
  bool is_keyword(const Token& t, const char* kw) const {
    return t.type == Tok::Ident && iequals(text(t), kw);
  }

  // A "(" opens either a condition, "(a = :v)", or an operand, "(a) = :v" and "(size(a)) > :n"
  // (DynamoDB's grammar takes both: an operand is a path, a value, a function or an operand in
  // parentheses); what follows its ")" tells which.
  bool group_is_operand() const {
    const Token& next = after_group();
    return is_comparator(next.type) || is_keyword(next, "BETWEEN") || is_keyword(next, "IN") ||
           next.type == Tok::Dot || next.type == Tok::LBracket;
  }

  Node parse_predicate() {
    if (peek().type == Tok::LParen && !group_is_operand()) {
      ++pos_;
      Node n = parse_or(0);
      bool inner = parenthesized_;
      expect(Tok::RParen);
      if (inner) redundant_parentheses();
      parenthesized_ = true;
      return n;
    }
    parenthesized_ = false;
    Node left = grouped_operand();
    Tok t = peek().type;
    if (is_comparator(t)) {
      ++pos_;
      Node n{Node::Kind::Compare};
      n.op = t == Tok::Eq   ? Op::Eq
             : t == Tok::Ne ? Op::Ne
             : t == Tok::Lt ? Op::Lt
             : t == Tok::Le ? Op::Le
             : t == Tok::Gt ? Op::Gt
                            : Op::Ge;
      check_comparable(left);
      n.kids.push_back(std::move(left));
      Node right = grouped_operand();
      check_comparable(right);
      n.kids.push_back(std::move(right));
      return n;
    }
    if (keyword("BETWEEN")) {
      ++pos_;
      Node n{Node::Kind::Between};
      check_comparable(left);
      n.kids.push_back(std::move(left));
      n.kids.push_back(grouped_operand());
      if (!keyword("AND")) syntax_error(pos_);
      ++pos_;
      n.kids.push_back(grouped_operand());
      check_comparable(n.kids[1]);
      check_comparable(n.kids[2]);
      return n;
    }
    if (keyword("IN")) {
      ++pos_;
      Node n{Node::Kind::In};
      check_comparable(left);
      n.kids.push_back(std::move(left));
      expect(Tok::LParen);
      do {
        n.kids.push_back(grouped_operand());
        check_comparable(n.kids.back());
      } while (accept(Tok::Comma));
      expect(Tok::RParen);
      if (n.kids.size() > 101)
        fail("The IN operator is provided with too many operands; number of operands: " +
             std::to_string(n.kids.size() - 1));
      return n;
    }
    if (left.kind == Node::Kind::Call && is_boolean_function(left.func)) return left;
    if (left.kind == Node::Kind::Call) {
      misused_function(function_name(left.func));
      return left;
    }
    syntax_error(pos_);
  }

  void check_comparable(const Node& n) {
    if (n.kind == Node::Kind::Call && is_boolean_function(n.func))
      misused_function(function_name(n.func));
  }

  // An operand in at most one pair of parentheses: "((a))" is redundant. The parentheses end
  // the operand: "(a).b" and "(size(a))[0]" are syntax errors (dynalite's test/scan.js and
  // test/updateItem.js record these from DynamoDB; the DAX client's expression grammar,
  // DynamoDbGrammar.g4, has the same operand rule).
  Node grouped_operand() {
    if (peek().type == Tok::LParen) return in_parentheses(&Parser::grouped_operand);
    Node n = operand();
    operand_parenthesized_ = false;
    return n;
  }

  // "(" inner ")" at pos_, refused as redundant when inner was itself one whole "( ... )".
  Node in_parentheses(Node (Parser::*inner)()) {
    ++pos_;
    enter();
    Node n = (this->*inner)();
    bool redundant = operand_parenthesized_;
    expect(Tok::RParen);
    --depth_;
    if (redundant) redundant_parentheses();
    operand_parenthesized_ = true;
    return n;
  }

  // SET's right-hand side: an operand, or operand + operand, or operand - operand, the sum in
  // at most one pair of parentheses and each operand in at most one of its own (ElectroDB
  // sends "SET #c = (if_not_exists(#c, :zero) - :n)"). A sum is no operand: "(a + b) + c" and
  // "a + b + c" are syntax errors, as dynalite's test/updateItem.js records from DynamoDB and
  // the DAX client's grammar (DynamoDbGrammar.g4, set_value and arithmetic) reads them.
  Node set_value() {
    if (peek().type == Tok::LParen && after_group().type != Tok::Plus &&
        after_group().type != Tok::Minus)
      return in_parentheses(&Parser::set_value);
    Node left = grouped_operand();
    if (peek().type == Tok::Plus || peek().type == Tok::Minus) {
      Node n{peek().type == Tok::Plus ? Node::Kind::Plus : Node::Kind::Minus};
      ++pos_;
      n.kids.push_back(std::move(left));
      n.kids.push_back(grouped_operand());
      operand_parenthesized_ = false;
      return n;
    }
    return left;
  }

  Node operand() {
    const Token& t = peek();
    if (t.type == Tok::Value) {
      Node n{Node::Kind::ValueRef};
      n.name = text(t);
      ++pos_;
      return n;
    }
    if (t.type == Tok::Ident && peek(1).type == Tok::LParen) {
      Node n = call();
      // A function's result is no document: "size(a).b" and "size(a)[0]" are syntax errors
      // (dynalite's test/scan.js records them from DynamoDB).
      if (peek().type == Tok::Dot || peek().type == Tok::LBracket) syntax_error(pos_);
      return n;
    }
    if (t.type == Tok::Ident || t.type == Tok::Name) {
      Node n{Node::Kind::Path};
      n.path = parse_path();
      return n;
    }
    if (has_bad_ && bad_ == pos_) syntax_error(pos_);
    syntax_error(pos_);
  }

  Node call() {
    std::string_view name = text(peek());
    static const std::map<std::string_view, Func> kFunctions = {
        {"attribute_exists", Func::AttributeExists},
        {"attribute_not_exists", Func::AttributeNotExists},
        {"attribute_type", Func::AttributeType},
        {"begins_with", Func::BeginsWith},
        {"contains", Func::Contains},
        {"size", Func::Size},
        {"if_not_exists", Func::IfNotExists},
        {"list_append", Func::ListAppend},
    };
    // A name that is no function, or one of the other kind of expression, fails the parse once
    // it ends (its arguments may hold an earlier fault); it is read as size() meanwhile, which
    // no check takes for a condition.
    Func f = Func::Size;
    if (auto it = kFunctions.find(name); it == kFunctions.end()) {
      defer(Fault::UnknownFunction, "Invalid function name; function: " + std::string(name));
    } else {
      f = it->second;
      bool update_function = f == Func::IfNotExists || f == Func::ListAppend;
      if (kind_ == Kind::Update && !update_function)
        defer(
            Fault::UnknownFunction,
            "The function is not allowed in an update expression; function: " + std::string(name));
      if (kind_ != Kind::Update && update_function)
        defer(Fault::UnknownFunction,
              "The function is not allowed in a " +
                  std::string(kind_ == Kind::Filter ? "filter" : "condition") +
                  " expression; function: " + std::string(name));
    }
    pos_ += 2;
    enter();
    Node n{Node::Kind::Call};
    n.func = f;
    if (peek().type != Tok::RParen) {
      do {
        n.kids.push_back(grouped_operand());
        check_comparable(n.kids.back());
      } while (accept(Tok::Comma));
    }
    expect(Tok::RParen);
    --depth_;
    // The number of operands and their types, and which functions need a document path, are
    // checked once names and values are resolved (bind() in eval.cc).
    return n;
  }

  Path parse_path() {
    Path p;
    auto name_step = [&] {
      const Token& t = peek();
      if (t.type == Tok::Name) {
        p.push_back({std::string(text(t)), -1, true});
      } else if (t.type == Tok::Ident) {
        // BETWEEN is a token of the grammar, not a name: 'a > between' is a syntax error
        // (dynalite's test/scan.js records it from DynamoDB), not a reserved word.
        if (iequals(text(t), "BETWEEN")) syntax_error(pos_);
        if (is_reserved_word(text(t)))
          defer(Fault::Reserved,
                "Attribute name is a reserved keyword; reserved keyword: " + std::string(text(t)));
        p.push_back({std::string(text(t)), -1, false});
      } else {
        syntax_error(pos_);
      }
      ++pos_;
    };
    name_step();
    for (;;) {
      if (accept(Tok::Dot)) {
        name_step();
      } else if (peek().type == Tok::LBracket) {
        ++pos_;
        if (peek().type != Tok::Number) syntax_error(pos_);
        std::string_view digits = text(peek());
        // DynamoDB takes list indexes up to 4294967294 and refuses a larger one in any
        // expression, whether or not an item is read.
        int64_t index = 0;
        for (char c : digits) index = std::min<int64_t>(index * 10 + (c - '0'), kMaxListIndex + 1);
        if (index > kMaxListIndex)
          fail("List index is not within the allowable range; index: [" + std::string(digits) +
               "]");
        ++pos_;
        expect(Tok::RBracket);
        p.push_back({"", index, false});
      } else {
        break;
      }
    }
    if (p.size() > kMaxPathDepth)
      fail("The document path has too many nesting levels; nesting levels: " +
           std::to_string(p.size()));
    return p;
  }

  std::string_view text_;
  Kind kind_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t bad_ = 0;
  bool has_bad_ = false;
  int depth_ = 0;
  bool parenthesized_ = false;          // the condition just parsed was one whole "( ... )"
  bool operand_parenthesized_ = false;  // the operand (or SET value) just parsed was "( ... )"
  std::string deferred_[4];             // by Fault
};

// Parsed forms by (kind, text). Bounded: when full it starts over, which is cheap.
template <class T>
class Cache {
 public:
  template <class F>
  std::shared_ptr<const T> get(Kind kind, std::string_view text, F parse) {
    std::string key(1, static_cast<char>(kind));
    key += text;
    {
      std::lock_guard lock(mu_);
      if (auto it = map_.find(key); it != map_.end()) return it->second;
    }
    auto parsed = std::make_shared<const T>(parse());
    std::lock_guard lock(mu_);
    if (map_.size() >= 4096) map_.clear();
    map_.emplace(std::move(key), parsed);
    return parsed;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const T>, std::less<>> map_;
};

}  // namespace

std::shared_ptr<const Node> parse_condition(std::string_view text, Kind kind) {
  static Cache<Node> cache;
  return cache.get(kind, text, [&] { return Parser(text, kind).condition_expression(); });
}

std::shared_ptr<const Update> parse_update(std::string_view text) {
  static Cache<Update> cache;
  return cache.get(Kind::Update, text,
                   [&] { return Parser(text, Kind::Update).update_expression(); });
}

std::shared_ptr<const std::vector<Path>> parse_projection(std::string_view text) {
  static Cache<std::vector<Path>> cache;
  return cache.get(Kind::Projection, text,
                   [&] { return Parser(text, Kind::Projection).projection_expression(); });
}

}  // namespace ddb::expr
