// Does not parse.
exports.handler = async (event) => {
  return { unbalanced: true ;
};
