# RFC 6609 3.4.1 example "subject_tests"
require ["include", "variables"];
global ["test", "test_mailbox"];
if header :contains "Subject" "${test}"
{
    set "test_mailbox" "spam-${test}";
}
