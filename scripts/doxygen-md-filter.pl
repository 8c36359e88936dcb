#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
# doxygen-md-filter.pl -- Doxygen's input filter for the Markdown pages
# (docs/Doxyfile, FILTER_PATTERNS): makes GitHub's heading anchors work in
# Doxygen 1.9, which gives headings no ids of its own.
#
#   perl scripts/doxygen-md-filter.pl FILE.md > filtered
#
# Every heading of level 2 or more gets a Doxygen label, {#PAGE-SLUG}, where
# PAGE is the file's name without .md and SLUG is the anchor GitHub makes
# for that heading (lower case, punctuation dropped, each space a hyphen,
# -1, -2 ... for repeated headings).  Links to such anchors are rewritten
# to the labels: [text](#slug) to #PAGE-slug, and [text](other.md#slug) to
# #other-slug, which Doxygen resolves as references.  Labels are global in
# Doxygen, hence the page prefix.  Nothing else changes, and no line is
# added or removed, so Doxygen's line numbers stay those of the file.
# Fenced code blocks are left alone.
use strict;
use warnings;
use utf8;
use open qw(:std :encoding(UTF-8));

my $file = shift @ARGV or die "usage: $0 FILE.md\n";
(my $page = $file) =~ s{^.*/}{};
$page =~ s{\.md$}{};
open my $in, '<', $file or die "$file: $!\n";

sub github_slug {
    my ($text) = @_;
    $text = lc $text;
    $text =~ s/[^\p{L}\p{N} _-]//g;
    $text =~ s/ /-/g;
    return $text;
}

my %seen;
my $fenced = 0;
while (my $line = <$in>) {
    if ($line =~ /^\s*(```|~~~)/) {
        $fenced = !$fenced;
    } elsif (!$fenced) {
        if ($line =~ /^(#{2,6})[ \t]+(.*?)[ \t#]*$/ && $line !~ /\{#[^}]*\}\s*$/) {
            my $slug = github_slug($2);
            my $n = $seen{$slug}++;
            $slug .= "-$n" if $n;
            $line =~ s/[ \t#]*\n?$/ {#$page-$slug}\n/;
        }
        $line =~ s/\]\(#([^)\s]+)\)/](#$page-$1)/g;
        $line =~ s/\]\(((?:[^()\s]*\/)?)([\w.-]+)\.md#([^)\s]+)\)/](#$2-$3)/g;
    }
    print $line;
}
